"""The verbs of the CRM: number parties, open their ledgers, delete them safely."""

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import partial
from itertools import islice

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import F
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone

from accounts.models import Account, Company
from accounts.services import next_numbers
from config.bulk import insert_rows
from config.lookups import AnyOf

from .models import (
    Address,
    AddressLink,
    Contact,
    ContactEmail,
    ContactLink,
    ContactPhone,
    Customer,
    PartyLedger,
    SalesTeamMember,
    Supplier,
    TreeMaster,
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
    for party, code in zip(parties, free_codes(type(parties[0]), len(parties)), strict=True):
        party.code = code


def free_codes(model, count, *, also_taken=frozenset()) -> list[str]:
    """The next `count` codes of the model's series that no party (and nothing in
    `also_taken`, upper-case) has yet; the series moves on past them."""
    kind = KIND_OF_MODEL[model]
    codes = []
    while len(codes) < count:
        candidates = next_numbers(prefix=kind.code_prefix, count=count - len(codes))
        taken = set(
            kind.model.objects.filter(code__in=candidates).order_by().values_list("code", flat=True)
        )
        codes.extend(c for c in candidates if c not in taken and c.upper() not in also_taken)
    return codes


# --- ledgers ----------------------------------------------------------------------------


def ledger_name(party, abbreviation, *, with_code=False) -> str:
    label = f"{party.name} ({party.code})" if with_code else party.name
    return f"{label} - {abbreviation}"


def open_receivable_ledger(*, customer, company=None) -> PartyLedger:
    """The customer's ledger in `company` (default: the customer's own), opened if missing."""
    return open_party_ledgers(parties=[customer], company=company)[0]


def open_payable_ledger(*, supplier) -> PartyLedger:
    return open_party_ledgers(parties=[supplier])[0]


def open_receivable_ledgers(*, customers) -> list[PartyLedger]:
    return open_party_ledgers(parties=customers)


def open_party_ledgers(*, parties, company=None) -> list[PartyLedger]:
    """Make sure each party has its ledger in its company (or in `company` when given),
    named after it; one per party and company.

    Opens missing ledgers under the company's receivable (or payable) group, renames ledgers
    of renamed parties, and leaves everything else alone. Costs a constant number of queries
    per batch of LEDGER_BATCH_SIZE parties. Safe under concurrency: the database refuses a
    second ledger for the same (party, company), and the loser re-reads the winner's.
    """
    parties = list(parties)
    ledgers = []
    iterator = iter(parties)
    while batch := list(islice(iterator, LEDGER_BATCH_SIZE)):
        ledgers.extend(_open_batch_with_retry(batch, company))
    return ledgers


def _open_batch_with_retry(parties, company):
    for attempt in range(RACE_RETRIES):
        try:
            with transaction.atomic():
                return _open_batch(parties, company)
        except IntegrityError:
            if attempt == RACE_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _open_batch(parties, company):
    kind = KIND_OF_MODEL[type(parties[0])]

    def target(party):  # the company the party's ledger is wanted in
        return company.pk if company else party.company_id

    existing = list(
        PartyLedger.objects.filter(**{f"{kind.field}_id__in": [p.pk for p in parties]})
        .select_related("account", "company")
        .order_by()
    )
    companies = _companies_of(parties, existing, company)
    party_by_id = {party.pk: party for party in parties}
    ledger_by_key = {(kind.party_id(ledger), ledger.company_id): ledger for ledger in existing}

    to_open = list({p.pk: p for p in parties if (p.pk, target(p)) not in ledger_by_key}.values())
    to_rename = [
        ledger
        for ledger in existing
        if not _name_fits(ledger.account.name, party_by_id[kind.party_id(ledger)], ledger.company)
    ]
    openings = [(party, companies[target(party)]) for party in to_open]
    _require_groups(kind, {company for _, company in openings})

    names = LedgerNames(
        openings + [(party_by_id[kind.party_id(ledger)], ledger.company) for ledger in to_rename]
    )
    for ledger in _create_ledgers(kind, openings, names):
        ledger_by_key[(kind.party_id(ledger), ledger.company_id)] = ledger
    _rename_ledgers(kind, to_rename, party_by_id, names)
    return [ledger_by_key[(party.pk, target(party))] for party in parties]


def _companies_of(parties, ledgers, company):
    """The companies of the ledgers and of the parties (or `company`): those already loaded,
    the rest in one query."""
    companies = {ledger.company_id: ledger.company for ledger in ledgers}
    if company is not None:
        companies[company.pk] = company
        return companies
    descriptor = type(parties[0]).company
    for party in parties:
        if descriptor.is_cached(party):
            companies.setdefault(party.company_id, party.company)
    missing = {party.company_id for party in parties} - companies.keys()
    if missing:
        companies.update(Company.objects.order_by().in_bulk(missing))
    return companies


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


class LedgerNames:
    """Hands out ledger names: "<name> - ABBR", or "<name> (<code>) - ABBR" when that is taken.

    `expect` reads, in one query, which of the plain names wanted are taken in the companies
    concerned, asking only about names it was not asked about before; names handed out count
    as taken too. A book kept for a whole import can so be told every name of the file once,
    and batches ask nothing more.
    """

    def __init__(self, parties_and_companies=()):
        self.taken = set()
        self.asked = set()
        self.expect_parties(parties_and_companies)

    def expect_parties(self, parties_and_companies):
        self.expect({(c.pk, ledger_name(p, c.abbreviation)) for p, c in parties_and_companies})

    def expect(self, wanted: set[tuple[int, str]]):
        """(company id, plain ledger name) pairs that may be handed out."""
        wanted = wanted - self.asked
        if not wanted:
            return
        self.taken |= set(
            Account.objects.filter(
                AnyOf(F("name"), list({name for _, name in wanted})),
                company_id__in={company_id for company_id, _ in wanted},
            )
            .order_by()
            .values_list("company_id", "name")
        )
        self.asked |= wanted

    def name_for(self, party, company):
        name = ledger_name(party, company.abbreviation)
        if (company.pk, name) in self.taken:
            name = ledger_name(party, company.abbreviation, with_code=True)
        self.taken.add((company.pk, name))
        return name


def _create_ledgers(kind, openings, names):
    """Open a ledger for each (party, company) pair: two bulk writes for the whole batch."""
    if not openings:
        return []
    ledgers = []
    for (party, company), account_row, ledger_row in _insert_ledgers(kind, openings, names):
        account = Account(**dict(zip(["pk", *LEDGER_ACCOUNT_FIELDS], account_row, strict=True)))
        account.company = company
        ledger = PartyLedger(
            pk=ledger_row[0],
            **{kind.field: party},
            company=company,
            account=account,
            opened_at=ledger_row[-1],
        )
        for obj in (account, ledger):
            obj._state.adding = False
        ledgers.append(ledger)
    return ledgers


def open_ledgers_of_new_customers(customers, *, companies, names=None) -> None:
    """Receivable ledgers for customers just written in bulk, none of which has one yet: the
    i-th in companies[i]. `customers` need only `pk`, `name` and `code`. `names`: the
    LedgerNames of a whole import, to hand out names across its batches."""
    openings = list(zip(customers, companies, strict=True))
    if not openings:
        return
    kind = KIND_OF_MODEL[Customer]
    _require_groups(kind, {id(company): company for company in companies}.values())
    names = names if names is not None else LedgerNames()
    names.expect_parties(openings)
    _insert_ledgers(kind, openings, names)


LEDGER_ACCOUNT_FIELDS = [
    "company_id",
    "parent_id",
    "name",
    "number",
    "is_group",
    "root_type",
    "account_type",
    "frozen",
]


def _insert_ledgers(kind, openings, names):
    """Write an account and a PartyLedger for each (party, company) pair; returns
    (pair, account row, ledger row) triples, each row starting with its new pk."""
    group_attr = f"{kind.group_attr}_id"
    companies = {id(company): company for _, company in openings}.values()
    group_ids = {getattr(company, group_attr) for company in companies}
    root_types = dict(Account.objects.filter(pk__in=group_ids).values_list("pk", "root_type"))
    # what a ledger account takes from its company, worked out once per company
    placed = {id(company): (company.pk, getattr(company, group_attr)) for company in companies}
    account_rows = []
    for party, company in openings:
        company_id, group_id = placed[id(company)]
        name = names.name_for(party, company)
        account_rows.append(
            (company_id, group_id, name, "", False, root_types[group_id], kind.account_type, False)
        )
    account_ids = insert_rows(Account, LEDGER_ACCOUNT_FIELDS, account_rows)
    now = timezone.now()
    ledger_rows = [
        (party.pk, account_row[0], account_id, now)
        for (party, _), account_row, account_id in zip(
            openings, account_rows, account_ids, strict=True
        )
    ]
    ledger_fields = [f"{kind.field}_id", "company_id", "account_id", "opened_at"]
    ledger_ids = insert_rows(PartyLedger, ledger_fields, ledger_rows)
    return [
        (pair, (account_id, *account_row), (ledger_id, *ledger_row))
        for pair, account_id, account_row, ledger_id, ledger_row in zip(
            openings, account_ids, account_rows, ledger_ids, ledger_rows, strict=True
        )
    ]


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


def sales_partner_deletion_blockers(partner) -> list[str]:
    """Why `partner` cannot be deleted: customers that have it as their default partner."""
    count = partner.customers.count()
    if not count:
        return []
    return [
        f"{partner} is the default sales partner of {count} customer(s); "
        "give them another partner first."
    ]


@transaction.atomic
def delete_sales_partner(*, partner) -> None:
    blockers = sales_partner_deletion_blockers(partner)
    if blockers:
        raise ValidationError(blockers)
    partner.delete()


# --- contacts and addresses ---------------------------------------------------------------


def normalize_phone(raw, *, country=None) -> str:
    """E.164 ("+4930901820") when the number parses as valid, else the input tidied up.

    `country` (ISO code, e.g. the address country) is the hint for numbers without "+".
    """
    text = " ".join(str(raw or "").split())
    if not text:
        return ""
    if not country and "+" not in text and "\uff0b" not in text:
        return text  # without a country to go by, only numbers with a plus sign parse
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


@transaction.atomic
def save_contact(*, contact, emails=(), phones=(), phone_country=None, party=None) -> Contact:
    """Save `contact` with exactly these emails and phones: (text, is_primary) pairs.

    Phones are normalised with `phone_country` as the hint; when no row is marked primary, the
    first one is. With `party`, the contact is linked to it, as its primary contact when the
    party has none yet.
    """
    contact.save()
    emails = [(email.strip(), primary) for email, primary in emails]
    phones = [
        (normalize_phone(number, country=phone_country), primary) for number, primary in phones
    ]
    _replace_rows(ContactEmail, "email", contact, emails)
    _replace_rows(ContactPhone, "number", contact, phones)
    if party is not None:
        _lock_party(party)
        has_primary = ContactLink.objects.filter(**_party_filter(party), is_primary=True).exists()
        link_contact(contact=contact, party=party, primary=not has_primary)
    return contact


def _replace_rows(model, field, contact, rows):
    rows = [(value, primary) for value, primary in rows if value]
    if sum(primary for _, primary in rows) > 1:
        raise ValidationError(f"Only one {field} of {contact} can be primary.")
    if rows and not any(primary for _, primary in rows):
        rows[0] = (rows[0][0], True)
    model.objects.filter(contact=contact).delete()
    model.objects.bulk_create(
        model(contact=contact, **{field: value}, is_primary=primary) for value, primary in rows
    )


@transaction.atomic
def save_address(*, address, party=None) -> Address:
    """Save `address` with its phone normalised for its country.

    With `party`, the address is linked to it, as its primary billing and shipping address
    where the party has none yet.
    """
    address.phone = normalize_phone(address.phone, country=address.country.code)
    address.save()
    if party is not None:
        _lock_party(party)
        links = AddressLink.objects.filter(**_party_filter(party))
        missing = [
            purpose
            for purpose, flag in ADDRESS_PURPOSES.items()
            if not links.filter(**{flag: True}).exists()
        ]
        link_address(address=address, party=party, primary_for=missing)
    return address


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


# --- a new customer with its first contact and address -------------------------------------


@dataclass(frozen=True)
class FirstContact:
    """A contact to create (an unsaved Contact) with an optional first email and phone."""

    person: Contact
    email: str = ""
    phone: str = ""


class PartErrors(ValidationError):
    """Errors of a write that saves several objects: by part, then (inside each) by field."""

    def __init__(self, errors_by_part: dict[str, ValidationError]):
        self.errors_by_part = errors_by_part
        super().__init__([m for error in errors_by_part.values() for m in error.messages])


@transaction.atomic
def create_customer(*, customer, contact=None, address=None) -> Customer:
    """Save a new customer with an optional first contact and first address, all or nothing.

    `customer` and `address` are unsaved model instances, `contact` a FirstContact. The
    contact becomes the customer's primary contact, the address its primary billing and
    shipping address, and the address country is the hint for a phone number without "+".
    Every part is validated before anything is written; PartErrors says what is wrong under
    "customer", "contact" and "address".
    """
    country = address.country if address is not None else None
    checks = {"customer": customer.full_clean}
    if contact is not None:
        checks["contact"] = partial(_validate_first_contact, contact, country=country)
    if address is not None:
        checks["address"] = address.full_clean
    _run_checks(checks)
    try:
        customer.save()
    except ValidationError as error:  # e.g. the company lost its receivable group meanwhile
        raise PartErrors({"customer": error}) from error
    if contact is not None:
        _add_first_contact(customer, contact, country=country)
    if address is not None:
        save_address(address=address, party=customer)  # a new customer: primary for both
    return customer


def _run_checks(checks):
    """Run every check, then raise all their errors together."""
    errors = {}
    for part, check in checks.items():
        try:
            check()
        except ValidationError as error:
            errors[part] = error
    if errors:
        raise PartErrors(errors)


def _validate_first_contact(contact, *, country):
    """The person, the email and the phone as it will be stored; errors named as in FirstContact."""
    candidates = [(contact.person, {})]
    if contact.email:
        candidates.append((ContactEmail(email=contact.email.strip()), {}))
    if contact.phone:
        number = normalize_phone(contact.phone, country=country)
        candidates.append((ContactPhone(number=number), {"number": "phone"}))
    errors = {}
    for instance, renamed in candidates:
        try:
            instance.full_clean(exclude=["contact"])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(renamed.get(field, field), []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _add_first_contact(customer, contact, *, country):
    contact.person.save()
    link_contact(contact=contact.person, party=customer, primary=True)
    if contact.email:
        add_contact_email(contact=contact.person, email=contact.email)
    if contact.phone:
        add_contact_phone(contact=contact.person, number=contact.phone, country=country)


# --- trees: customer groups, territories, sales persons -----------------------------------


def _lock_tree(model) -> None:
    """Tree writes take turns: their rules (no cycles, leaves hold no nodes, unique names)
    read other rows of the tree, so two writes at once could each pass and break them."""
    list(model.objects.select_for_update().values_list("pk", flat=True))


def _locked(node) -> TreeMaster:
    _lock_tree(type(node))
    return type(node).objects.get(pk=node.pk)


def _refuse_taken_name(node) -> None:
    if type(node).objects.filter(name=node.name).exclude(pk=node.pk).exists():
        noun = type(node)._meta.verbose_name
        raise ValidationError(
            {"name": f"There is already a {noun} named {node.name}; choose another name."}
        )


def _save_tree_node(node) -> None:
    _refuse_taken_name(node)
    node.full_clean()
    node.save()


@transaction.atomic
def add_tree_node(*, parent, name, is_group=False, **details) -> TreeMaster:
    """Add a node under the group `parent`; a sales person also takes user and commission_rate."""
    parent = _locked(parent)
    node = type(parent)(parent=parent, name=name, is_group=is_group, **details)
    _save_tree_node(node)
    return node


@transaction.atomic
def update_tree_node(*, node, name, is_group, **details) -> TreeMaster:
    """Rename a node, make it a group or a leaf, change a sales person's user or commission."""
    node = _locked(node)
    if node.parent_id is None and not is_group:
        raise ValidationError(
            {"is_group": f"{node} is the root of the tree; it must stay a group."}
        )
    node.name, node.is_group = name, is_group
    for field, value in details.items():
        setattr(node, field, value)
    _save_tree_node(node)
    return node


@transaction.atomic
def move_tree_node(*, node, parent) -> TreeMaster:
    """Hang `node`, with everything below it, under the group `parent`."""
    node = _locked(node)
    parent = type(node).objects.get(pk=parent.pk)
    if node.parent_id is None:
        raise ValidationError({"parent": f"{node} is the root of the tree; it cannot be moved."})
    if parent.pk == node.pk:
        raise ValidationError({"parent": f"{node} cannot be its own parent; choose another group."})
    if node.descendants().filter(pk=parent.pk).exists():
        raise ValidationError(
            {"parent": f"{parent} is inside {node}; choose a group outside {node}."}
        )
    node.parent = parent
    _save_tree_node(node)
    return node


def tree_node_deletion_blockers(node) -> list[str]:
    """Why `node` cannot be deleted: it is the root, holds nodes or customers, or is in use."""
    if node.parent_id is None:
        return [f"{node} is the root of the tree; it cannot be deleted."]
    return node.deletion_blockers() or _rows_keeping(node)


def _rows_keeping(node) -> list[str]:
    """Other rows whose keys refuse the deletion (a sales partner's territory, say)."""
    try:
        Collector(using=router.db_for_write(type(node))).collect([node])
    except ProtectedError as error:
        keeping = error.protected_objects
    except RestrictedError as error:
        keeping = error.restricted_objects
    else:
        return []
    used_by = Counter(row._meta.verbose_name for row in keeping)
    return [
        f"{node} is used by {count} {noun}(s); change them first."
        for noun, count in sorted(used_by.items())
    ]


@transaction.atomic
def delete_tree_node(*, node) -> None:
    node = _locked(node)
    blockers = tree_node_deletion_blockers(node)
    if blockers:
        raise ValidationError(blockers)
    node.delete()
