"""The verbs of the CRM: number parties, open their ledgers, delete them safely."""

from dataclasses import dataclass
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Account, Company
from accounts.services import next_numbers

from .models import Customer, PartyLedger, Supplier, missing_group_message

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
