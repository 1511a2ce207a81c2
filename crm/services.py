"""The verbs of the CRM: number parties, open their ledgers, delete them safely."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import islice

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Account, Company
from accounts.services import next_numbers

from .models import (
    AddressLink,
    ContactEmail,
    ContactLink,
    ContactPhone,
    Customer,
    PartyLedger,
    SalesTeamMember,
    Supplier,
    missing_group_message,
)

LEDGER_BATCH_SIZE = 2000
RACE_RETRIES = 3


@dataclass(frozen=True)
class PartyKind:
    """What differs between a customer's receivable ledger and a supplier's payable one."""

    model: type
    field: str
    code_prefix: str
    group_attr: str
    setting: str
    account_type: str

    def party_id(self, ledger):
        return getattr(ledger, f"{self.field}_id")


RECEIVABLE = PartyKind(
    Customer, "customer", "CUST-", "receivable_group", "receivable group", Account.Type.RECEIVABLE
)
PAYABLE = PartyKind(
    Supplier, "supplier", "SUPP-", "payable_group", "payable group", Account.Type.PAYABLE
)
KIND_OF_MODEL = {Customer: RECEIVABLE, Supplier: PAYABLE}


# --- codes ------------------------------------------------------------------------------


def assign_codes(parties) -> None:
    """Give every party without a code the next free one of its series (CUST-00001...)."""
    parties = [party for party in parties if not party.code]
    if not parties:
        return
    kind = KIND_OF_MODEL[type(parties[0])]
    codes = []
    while len(codes) < len(parties):
        candidates = next_numbers(prefix=kind.code_prefix, count=len(parties) - len(codes))
        taken = set(kind.model.objects.filter(code__in=candidates).values_list("code", flat=True))
        codes.extend(code for code in candidates if code not in taken)
    for party, code in zip(parties, codes, strict=True):
        party.code = code


# --- ledgers ----------------------------------------------------------------------------


def ledger_name(party, abbreviation, *, with_code=False) -> str:
    label = f"{party.name} ({party.code})" if with_code else party.name
    return f"{label} - {abbreviation}"


def open_receivable_ledger(*, customer) -> PartyLedger:
    return open_party_ledgers(parties=[customer])[0]


def open_payable_ledger(*, supplier) -> PartyLedger:
    return open_party_ledgers(parties=[supplier])[0]


def open_receivable_ledgers(*, customers) -> list[PartyLedger]:
    return open_party_ledgers(parties=customers)


def open_party_ledgers(*, parties) -> list[PartyLedger]:
    """Make sure each party has its ledger in its company, named after it; one per party.

    Opens missing ledgers under the company's receivable (or payable) group, renames ledgers
    of renamed parties, and leaves everything else alone. Costs a constant number of queries
    per batch of LEDGER_BATCH_SIZE parties. Safe under concurrency: the database refuses a
    second ledger for the same (party, company), and the loser re-reads the winner's.
    """
    parties = list(parties)
    ledgers = []
    iterator = iter(parties)
    while batch := list(islice(iterator, LEDGER_BATCH_SIZE)):
        ledgers.extend(_open_batch_with_retry(batch))
    return ledgers


def _open_batch_with_retry(parties):
    for attempt in range(RACE_RETRIES):
        try:
            with transaction.atomic():
                return _open_batch(parties)
        except IntegrityError:
            if attempt == RACE_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _open_batch(parties):
    kind = KIND_OF_MODEL[type(parties[0])]
    existing = list(
        PartyLedger.objects.filter(
            **{f"{kind.field}_id__in": [p.pk for p in parties]}
        ).select_related("account", "company")
    )
    companies = {ledger.company_id: ledger.company for ledger in existing}
    companies.update(Company.objects.in_bulk({p.company_id for p in parties} - companies.keys()))
    party_by_id = {party.pk: party for party in parties}
    ledger_by_key = {(kind.party_id(ledger), ledger.company_id): ledger for ledger in existing}

    to_open = [p for p in parties if (p.pk, p.company_id) not in ledger_by_key]
    to_rename = [
        ledger
        for ledger in existing
        if not _name_fits(ledger.account.name, party_by_id[kind.party_id(ledger)], ledger.company)
    ]
    _require_groups(kind, {companies[p.company_id] for p in to_open})

    names = _NameBook(
        [(party, companies[party.company_id]) for party in to_open]
        + [(party_by_id[kind.party_id(ledger)], ledger.company) for ledger in to_rename]
    )
    for ledger in _create_ledgers(kind, to_open, companies, names):
        ledger_by_key[(kind.party_id(ledger), ledger.company_id)] = ledger
    _rename_ledgers(kind, to_rename, party_by_id, names)
    return [ledger_by_key[(party.pk, party.company_id)] for party in parties]


def _name_fits(account_name, party, company):
    abbreviation = company.abbreviation
    return account_name in (
        ledger_name(party, abbreviation),
        ledger_name(party, abbreviation, with_code=True),
    )


def _require_groups(kind, companies):
    for company in sorted(companies, key=lambda c: c.name):
        if getattr(company, f"{kind.group_attr}_id") is None:
            raise ValidationError({"company": missing_group_message(company, kind.setting)})


class _NameBook:
    """Hands out ledger names: "<name> - ABBR", or "<name> (<code>) - ABBR" when that is taken.

    One query finds which plain names are already used in the companies concerned; names
    handed out within the batch count as taken too.
    """

    def __init__(self, parties_and_companies):
        wanted = {(c.pk, ledger_name(p, c.abbreviation)) for p, c in parties_and_companies}
        self.taken = set()
        if wanted:
            self.taken = set(
                Account.objects.filter(
                    company_id__in={company_id for company_id, _ in wanted},
                    name__in={name for _, name in wanted},
                ).values_list("company_id", "name")
            )

    def name_for(self, party, company):
        name = ledger_name(party, company.abbreviation)
        if (company.pk, name) in self.taken:
            name = ledger_name(party, company.abbreviation, with_code=True)
        self.taken.add((company.pk, name))
        return name


def _create_ledgers(kind, parties, companies, names):
    if not parties:
        return []
    accounts = []
    for party in parties:
        company = companies[party.company_id]
        group = getattr(company, kind.group_attr)
        accounts.append(
            Account(
                company=company,
                parent_id=group.pk,
                name=names.name_for(party, company),
                is_group=False,
                root_type=group.root_type,
                account_type=kind.account_type,
            )
        )
    Account.objects.bulk_create(accounts)
    ledgers = [
        PartyLedger(**{kind.field: party}, company=account.company, account=account)
        for party, account in zip(parties, accounts, strict=True)
    ]
    return PartyLedger.objects.bulk_create(ledgers)


def _rename_ledgers(kind, ledgers, party_by_id, names):
    accounts = []
    for ledger in ledgers:
        ledger.account.name = names.name_for(party_by_id[kind.party_id(ledger)], ledger.company)
        accounts.append(ledger.account)
    if accounts:
        Account.objects.bulk_update(accounts, ["name"])


# --- deletion ---------------------------------------------------------------------------


def deletion_blockers(party) -> list[str]:
    """Why `party` cannot be deleted: ledgers that already carry postings."""
    posted = Account.objects.filter(party_ledger__in=party.ledgers.all(), gl_entries__isnull=False)
    return [
        f"Ledger {name} has postings, so {party} cannot be deleted. Disable it instead."
        for name in posted.distinct().values_list("name", flat=True)
    ]


def refuse_deletion_with_postings(*, party) -> None:
    blockers = deletion_blockers(party)
    if blockers:
        raise ValidationError(blockers)


def close_ledger_account(*, ledger) -> None:
    """A deleted party's ledger account goes with it (it has no postings: see above)."""
    Account.objects.filter(pk=ledger.account_id).delete()


# --- contacts and addresses ---------------------------------------------------------------


def normalize_phone(raw, *, country=None) -> str:
    """E.164 ("+4930901820") when the number parses as valid, else the input tidied up.

    `country` (ISO code, e.g. the address country) is the hint for numbers without "+".
    """
    text = " ".join(str(raw or "").split())
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, (country or None) and str(country).upper())
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_valid_number(number):
        return text
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.extension:
        formatted += f" ext. {number.extension}"
    return formatted


def display_phone(stored) -> str:
    """An E.164 number in international layout ("+49 30 901820"); anything else as stored."""
    try:
        number = phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:
        return stored
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _party_filter(party):
    return {KIND_OF_MODEL[type(party)].field: party}


def _lock_party(party):
    type(party).objects.select_for_update().filter(pk=party.pk).first()


@transaction.atomic
def link_contact(*, contact, party, primary=False) -> ContactLink:
    link, _ = ContactLink.objects.get_or_create(contact=contact, **_party_filter(party))
    if primary:
        return set_primary_contact(party=party, contact=contact)
    return link


@transaction.atomic
def unlink_contact(*, contact, party) -> None:
    ContactLink.objects.filter(contact=contact, **_party_filter(party)).delete()


@transaction.atomic
def set_primary_contact(*, party, contact) -> ContactLink:
    """Make `contact` the party's primary contact; the previous one stops being primary."""
    _lock_party(party)
    link = ContactLink.objects.filter(contact=contact, **_party_filter(party)).first()
    if link is None:
        raise ValidationError(f"{contact} is not a contact of {party}; link it first.")
    return _make_only_primary(ContactLink.objects.filter(**_party_filter(party)), link)


ADDRESS_PURPOSES = {"billing": "is_primary_billing", "shipping": "is_primary_shipping"}


@transaction.atomic
def link_address(*, address, party, primary_for=()) -> AddressLink:
    link, _ = AddressLink.objects.get_or_create(address=address, **_party_filter(party))
    for purpose in primary_for:
        link = set_primary_address(party=party, address=address, purpose=purpose)
    return link


@transaction.atomic
def unlink_address(*, address, party) -> None:
    AddressLink.objects.filter(address=address, **_party_filter(party)).delete()


@transaction.atomic
def set_primary_address(*, party, address, purpose) -> AddressLink:
    """Make `address` the party's primary billing or shipping address, unsetting the old one."""
    flag = ADDRESS_PURPOSES[purpose]
    _lock_party(party)
    link = AddressLink.objects.filter(address=address, **_party_filter(party)).first()
    if link is None:
        raise ValidationError(f"{address} is not an address of {party}; link it first.")
    return _make_only_primary(AddressLink.objects.filter(**_party_filter(party)), link, flag)


def _make_only_primary(siblings, chosen, flag="is_primary"):
    """Unset `flag` on every sibling, then set it on `chosen` (the order the constraint needs)."""
    siblings.filter(**{flag: True}).exclude(pk=chosen.pk).update(**{flag: False})
    if not getattr(chosen, flag):
        setattr(chosen, flag, True)
        chosen.save(update_fields=[flag])
    return chosen


@transaction.atomic
def add_contact_email(*, contact, email, primary=False) -> ContactEmail:
    """Add (or find) an address of the contact; the first one becomes primary."""
    entry, _ = ContactEmail.objects.get_or_create(contact=contact, email=email.strip())
    if primary or not contact.emails.filter(is_primary=True).exists():
        _make_only_primary(contact.emails.all(), entry)
    return entry


@transaction.atomic
def add_contact_phone(*, contact, number, country=None, primary=False) -> ContactPhone:
    """Add (or find) a phone of the contact, normalised to E.164; the first becomes primary."""
    entry, _ = ContactPhone.objects.get_or_create(
        contact=contact, number=normalize_phone(number, country=country)
    )
    if primary or not contact.phones.filter(is_primary=True).exists():
        _make_only_primary(contact.phones.all(), entry)
    return entry


# --- sales team ---------------------------------------------------------------------------


@transaction.atomic
def set_sales_team(*, customer, members) -> list[SalesTeamMember]:
    """Replace the customer's sales team with `members`: (sales person, contribution %) pairs.

    The contributions must total exactly 100 %; an empty team is allowed.
    """
    members = [(person, to_percent(share)) for person, share in members]
    people = [person for person, _ in members]
    if len(set(people)) != len(people):
        raise ValidationError("A sales person can appear only once in a sales team.")
    total = sum((share for _, share in members), Decimal(0))
    if members and total != 100:
        raise ValidationError(
            f"Sales team contributions must total 100%; they total {total:.2f}% now."
        )
    rows = [
        SalesTeamMember(customer=customer, sales_person=person, contribution=share)
        for person, share in members
    ]
    for row in rows:
        row.full_clean(exclude=["customer"])
    _lock_party(customer)
    customer.sales_team.all().delete()
    return SalesTeamMember.objects.bulk_create(rows)


def to_percent(value) -> Decimal:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ValidationError(f"{value!r} is not a percentage.") from exc
