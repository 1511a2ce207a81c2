"""Importing customers in bulk: each with an optional primary contact and primary address.

`CustomerImport.plan(rows)` validates every row against the database (one query per batch
of BATCH_SIZE rows for the existing customers, the small master tables read once) and says
what each row would do: new, updated, unchanged or invalid, with a Problem for every bad
cell. `CustomerImport.write(plan)` then writes the new and changed customers in bulk (COPY on
PostgreSQL), with their history, receivable ledgers, contacts and addresses, in the caller's
transaction. Bulk writes fire no signals, so ledgers are opened here, through the ledger
naming rules of `crm.services`. Updating a customer also updates its primary contact and
primary billing address from the contact and address columns (or creates them).
`CustomerImport.plan_and_write(rows)` is the import itself: both in one pass, a batch at a
time, the cells of the next batch checked in a second process meanwhile.

`CellChecks`, `Countries` and the bulk helpers at the end serve the contact and address
imports too (crm.importing_contacts, crm.importing_addresses).
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields
from decimal import Decimal
from operator import itemgetter
from types import SimpleNamespace

import pycountry
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Upper
from django.utils import timezone
from django_countries import countries

from accounts.models import Company
from config.bulk import insert_rows, record_history
from config.importing import (
    Column,
    Mode,
    Outcome,
    Plan,
    Problem,
    clean,
    parse_bool,
    parse_decimal,
    parsed_beside,
    problems_found_again,
    unmarked,
    without_collector_pauses,
)
from config.lookups import AnyOf
from pricing.models import PriceList

from .models import (
    Address,
    AddressLink,
    Contact,
    ContactEmail,
    ContactLink,
    ContactPhone,
    Customer,
    CustomerGroup,
    Territory,
)
from .selectors import primary_contact_links
from .services import (
    LedgerNames,
    free_codes,
    ledger_name,
    normalize_phone,
    open_ledgers_of_new_customers,
    open_party_ledgers,
)

BATCH_SIZE = 10_000  # rows checked and written together: fewer, larger statements

COLUMNS = [
    Column("code", "Code", ("customer id", "customer code", "customer no", "customer number")),
    Column(
        "name",
        "Name",
        ("customer name", "customer", "company", "company name", "full name"),
        required=True,
        help="The customer's name: a company's or a person's.",
    ),
    Column("customer_type", "Type", ("customer type", "kind"), help="Company or Individual."),
    Column(
        "company",
        "Selling company",
        ("our company", "accounting company", "company abbreviation"),
        help="Our company that sells to the customer: its name or abbreviation.",
    ),
    Column("customer_group", "Customer group", ("group", "segment", "customer segment")),
    Column("territory", "Territory", ("sales territory", "sales region")),
    Column("tax_id", "Tax ID", ("vat", "vat id", "vat number", "tax number", "tax no")),
    Column("website", "Website", ("web", "url", "homepage", "web site")),
    Column("notes", "Notes", ("note", "comment", "comments", "remarks")),
    Column("credit_limit", "Credit limit", ("limit",)),
    Column("credit_days_rule", "Credit days rule", ("payment terms rule",)),
    Column("credit_days", "Credit days", ("payment days", "payment terms days")),
    Column("default_price_list", "Price list", ("default price list", "selling price list")),
    Column("disabled", "Disabled", ("inactive",)),
    Column("contact_first_name", "Contact first name", ("first name", "firstname", "given name")),
    Column("contact_last_name", "Contact last name", ("last name", "lastname", "surname")),
    Column("contact_name", "Contact name", ("contact", "contact person")),
    Column("email", "Email", ("e-mail", "email address", "mail", "contact email", "email id")),
    Column("phone", "Phone", ("phone 1", "telephone", "tel", "mobile", "phone number")),
    Column("address_line1", "Address line 1", ("address", "street", "address 1", "street 1")),
    Column("address_line2", "Address line 2", ("address 2", "street 2")),
    Column("city", "City", ("town",)),
    Column("state", "State", ("county", "province", "state/county")),
    Column("postal_code", "Postal code", ("zip", "zip code", "postcode", "post code", "plz")),
    Column("country", "Country", ("country code", "country name")),
]
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}

CUSTOMER_FIELDS = [
    "code",
    "name",
    "customer_type",
    "company_id",
    "customer_group_id",
    "territory_id",
    "tax_id",
    "website",
    "notes",
    "credit_limit",
    "credit_days_rule",
    "credit_days",
    "default_price_list_id",
    "disabled",
]
# a row's values in the order of CUSTOMER_FIELDS, as a tuple
CUSTOMER_VALUES = itemgetter(*CUSTOMER_FIELDS)
CONTACT_FIELDS = ["contact_first_name", "contact_last_name", "email", "phone"]
ADDRESS_FIELDS = ["address_line1", "address_line2", "city", "state", "postal_code", "country"]
ADDRESS_COLUMN_OF = {"line1": "address_line1", "line2": "address_line2"}  # Address -> column
ADDRESS_PARTS = ["line1", "line2", "city", "state", "postal_code", "country"]
TYPE_WORDS = {
    "company": Customer.Kind.COMPANY,
    "business": Customer.Kind.COMPANY,
    "organisation": Customer.Kind.COMPANY,
    "organization": Customer.Kind.COMPANY,
    "individual": Customer.Kind.INDIVIDUAL,
    "person": Customer.Kind.INDIVIDUAL,
    "private": Customer.Kind.INDIVIDUAL,
}
RULE_WORDS = {
    "fixed_days": "fixed_days",
    "fixed days": "fixed_days",
    "days after invoice": "fixed_days",
    "end_of_next_month": "end_of_next_month",
    "end of next month": "end_of_next_month",
    "last day of next month": "end_of_next_month",
}
check_url = URLValidator()
# The common shape of a web address, which URLValidator accepts too; anything else is left to
# URLValidator, whose full check costs ten times as much.
PLAIN_URL = re.compile(
    r"https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
    r"(?::\d{1,5})?(?:[/?#][^\s]*)?\Z"
)

# The common shape of an email address, which validate_email accepts too; anything else is
# left to validate_email, whose full check costs five times as much.
PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}\Z"
)


@dataclass(frozen=True)
class Defaults:
    """What the page fills in where the file says nothing."""

    company: Company
    customer_group: CustomerGroup
    territory: Territory
    customer_type: str = Customer.Kind.COMPANY


@dataclass
class Row:
    """One valid row: the customer's values, its contact and address, and what it will do."""

    number: int
    values: dict
    contact: dict
    address: dict
    outcome: Outcome = Outcome.NEW
    existing_id: int | None = None
    # for an existing customer: what the row changes of it, its primary contact and address
    customer_changed: bool = False
    contact_change: dict | None = None
    address_change: dict | None = None

    @property
    def key(self) -> str:
        return self.values["code"]

    def __reduce__(self):
        # Rows travel from the process that checks cells (config.importing.parsed_beside):
        # as the arguments of a call they load twice as fast as the default object state.
        return Row, tuple(getattr(self, field.name) for field in fields(self))


class CellChecks:
    """Reading the cells of a row, each problem reported with its row, the column as headed in
    the file, the value and what to do. An importer sets `column_by_field`, and `headers`
    (field -> header in the file) and `countries` (a Countries) on itself."""

    column_by_field: dict[str, Column]
    headers: dict[str, str]

    def _reporter(self, number, cell, plan):
        def problem(name, message):
            self._problem(plan, number, name, cell.get(name, ""), message)

        return problem

    def _problem(self, plan, number, name, value, message):
        column = self.headers.get(name, self.column_by_field[name].header)
        plan.problems.append(Problem(number, column, value, message))

    @staticmethod
    def _text(cell, name, limit, problem) -> str:
        text = cell.get(name, "")
        if len(text) > limit:
            problem(name, f"longer than {limit} characters ({len(text)}).")
        return text

    @staticmethod
    def _choice(cell, name, words, problem) -> str:
        text = unmarked(cell.get(name, ""))
        key = " ".join(text.lower().replace("-", " ").split())
        if not key:
            return ""
        if key in words:
            return words[key]
        if key.replace(" ", "_") in words:
            return words[key.replace(" ", "_")]
        allowed = sorted({value for value in words.values() if value})
        problem(name, f"use one of: {', '.join(allowed)}.")
        return ""

    @staticmethod
    def _flag(cell, name, problem) -> bool:
        try:
            return parse_bool(cell.get(name, ""))
        except ValueError as error:
            problem(name, f"{error}.")
            return False

    @staticmethod
    def _email(cell, name, problem) -> str:
        """The address in lower case; one that is not an address is a problem."""
        email = unmarked(cell.get(name, ""))
        if not email:
            return ""
        if len(email) > 254:
            problem(name, "longer than 254 characters.")
            return ""
        if not PLAIN_EMAIL.match(email):
            try:
                validate_email(email)
            except ValidationError:
                problem(name, "not an email address.")
        return email.lower()

    def _country(self, cell, problem) -> str:
        text = unmarked(cell.get("country", ""))
        if not text:
            return ""
        code = self.countries.code(text)
        if not code:
            problem("country", "not a country name or ISO code.")
        return code


class CustomerImport(CellChecks):
    """One import of customers: its mode, defaults, who runs it and the headers of the file
    (field -> header as in the file, from the page's header matching)."""

    columns = COLUMNS
    column_by_field = COLUMN_BY_FIELD

    def __init__(self, *, mode: Mode, defaults: Defaults, headers: dict[str, str], user=None):
        self.mode, self.defaults, self.headers, self.user = mode, defaults, headers, user
        self.lookups = _Lookups()
        self.countries = self.lookups.countries

    # --- the dry run ----------------------------------------------------------------------

    @without_collector_pauses
    def plan(self, rows: Iterable) -> Plan:
        """`rows` are (row number, {field: text}) pairs; nothing is written."""
        plan = Plan()
        for _ in self._planned_batches(list(rows), plan):
            pass
        return plan

    def _planned_batches(
        self, rows: list, plan: Plan, *, parsed_batches: Iterable | None = None, codes=None
    ) -> Iterator[list[Row]]:
        """Plan `rows` into `plan` a batch at a time, yielding each batch's rows to write.
        `parsed_batches`: each batch's `_parse_batch`, when worked out elsewhere; `codes`:
        the rows' `_codes_in`, when known already."""
        missing = [c for c in COLUMNS if c.required and c.field not in self.headers]
        if missing and self.mode != Mode.UPDATE:
            names = ", ".join(column.header for column in missing)
            raise ValidationError(f"The file has no {names} column; it is required.")
        if self.mode != Mode.INSERT and "code" not in self.headers:
            raise ValidationError("Updating needs a Code column to find each customer.")
        if parsed_batches is None:
            parsed_batches = (
                self._parse_batch(rows[start : start + BATCH_SIZE])
                for start in range(0, len(rows), BATCH_SIZE)
            )
        seen_codes: dict[str, int] = {}
        stored = _stored_codes(_codes_in(rows) if codes is None else codes)
        for parsed, problems in parsed_batches:
            plan.problems.extend(problems)
            yield self._decide_batch(parsed, plan, seen_codes, stored)

    def _parse_batch(self, batch) -> tuple[list[Row | None], list[Problem]]:
        """Each row's values (None for a row with problems), and the problems: the checks
        that need no database."""
        found = Plan()
        return [self._parse(number, cells, found) for number, cells in batch], found.problems

    def _decide_batch(self, parsed, plan, seen_codes, stored) -> list[Row]:
        """What each parsed row does, against the customers stored (`stored`: the codes of
        the file that are taken) and the codes met before; the rows to write."""
        planned = len(plan.rows)
        codes = [(row.values["code"].upper(), row.number) for row in parsed if row is not None]
        repeats = _repeated(codes, seen_codes)
        existing = _existing_customers([code for code, _ in codes if code in stored])
        primaries = self._primaries([current["id"] for current in existing.values()])
        for row in parsed:
            if row is None:
                plan.counts.add(Outcome.INVALID)
                continue
            code = row.values["code"].upper()
            if row.number in repeats:
                self._problem(
                    plan, row.number, "code", row.values["code"],
                    f"the same code is on row {repeats[row.number]}; codes must be unique.",
                )  # fmt: skip
                plan.counts.add(Outcome.INVALID)
                continue
            if code:
                seen_codes[code] = row.number
            if self._decide(row, existing.get(code), plan, primaries):
                plan.rows.append(row)
            plan.counts.add(row.outcome)
        return plan.rows[planned:]

    def _decide(self, row, current, plan, primaries) -> bool:
        """Set the row's outcome against the customer with its code; False: not written."""
        if current is None:
            if self.mode == Mode.UPDATE:
                message = (
                    "no customer has this code; use insert-or-update to add it."
                    if row.values["code"]
                    else "give the code of the customer to update."
                )
                self._problem(plan, row.number, "code", row.values["code"], message)
                row.outcome = Outcome.INVALID
                return False
            row.outcome = Outcome.NEW
            return True
        if self.mode == Mode.INSERT:
            self._problem(
                plan, row.number, "code", row.values["code"],
                f"{current['name']} already has this code; choose update or insert-or-update.",
            )  # fmt: skip
            row.outcome = Outcome.INVALID
            return False
        row.existing_id = current["id"]
        row.customer_changed = any(
            current[name] != value
            for name, value in row.values.items()
            if name != "code" and self._given(name)
        )
        held = primaries.get(current["id"], HeldPrimaries())
        row.contact_change = self._contact_change(row, held, current["name"])
        row.address_change = self._address_change(row, held)
        changed = row.customer_changed or bool(row.contact_change or row.address_change)
        row.outcome = Outcome.UPDATED if changed else Outcome.UNCHANGED
        return changed

    # --- the primary contact and address of an existing customer ----------------------------

    def _primaries(self, customer_ids) -> dict[int, "HeldPrimaries"]:
        """What an update compares the contact and address columns with; nothing to read
        when inserting, or when the file has none of those columns."""
        if self.mode == Mode.INSERT or not customer_ids:
            return {}
        with_contact = any(name in self.headers for name in (*CONTACT_FIELDS, "contact_name"))
        return held_primaries(
            customer_ids,
            contacts=with_contact,
            addresses="address_line1" in self.headers,
        )

    def _contact_change(self, row, held, name) -> dict | None:
        """What the row changes of the customer's primary contact (created when it has none):
        its name, and the email and phone that become primary. Empty cells change nothing."""
        wanted = row.contact
        if not wanted:
            return None
        contact = held.contact
        if contact is None:
            first = wanted["first_name"] or row.values["name"] or name
            return {**wanted, "first_name": first[:100], "contact_id": None}
        change = {}
        names = (wanted["first_name"], wanted["last_name"])
        if wanted["named"] and names != (contact["first_name"], contact["last_name"]):
            change["first_name"], change["last_name"] = names
        for part in ("email", "phone"):
            value = wanted[part]
            if value and _comparable(part, value) != _comparable(part, contact[part]):
                change[part] = value
        return {**change, "contact_id": contact["id"]} if change else None

    def _address_change(self, row, held) -> dict | None:
        """The address parts of the file's columns that differ from the customer's primary
        billing address, or the whole address when it has none."""
        wanted = row.address
        if not wanted:
            return None
        if held.address is None:
            return {"address_id": None, "values": wanted, "shipping": not held.has_shipping}
        given = {
            name: value
            for name, value in wanted.items()
            if self._given(ADDRESS_COLUMN_OF.get(name, name))
        }
        changed = {name: v for name, v in given.items() if held.address[name] != v}
        return {"address_id": held.address["id"], "values": changed} if changed else None

    def _given(self, attname) -> bool:
        """Whether the file has the column behind `attname` (else the default applies)."""
        return attname.removesuffix("_id") in self.headers

    # --- one row ----------------------------------------------------------------------------

    def _parse(self, number, cells, plan) -> Row | None:
        problems_before = len(plan.problems)
        cell = {name: clean(cells.get(name, "")) for name in self.headers}
        values = self._customer_values(number, cell, plan)
        contact = self._contact(number, cell, values, plan)
        address = self._address(number, cell, plan)
        if len(plan.problems) > problems_before:
            return None
        return Row(number, values, contact, address)

    def _customer_values(self, number, cell, plan):
        problem = self._reporter(number, cell, plan)
        if "name" in self.headers and not cell.get("name"):
            problem("name", "a name is required.")
        defaults = self.defaults
        values = {
            "code": self._text(cell, "code", 40, problem),
            "name": self._text(cell, "name", 140, problem),
            "customer_type": self._choice(cell, "customer_type", TYPE_WORDS, problem)
            or defaults.customer_type,
            "company_id": self._look_up(cell, "company", self.lookups.companies, problem)
            or defaults.company.pk,
            "customer_group_id": self._leaf(cell, "customer_group", self.lookups.groups, problem)
            or defaults.customer_group.pk,
            "territory_id": self._leaf(cell, "territory", self.lookups.territories, problem)
            or defaults.territory.pk,
            "tax_id": self._text(cell, "tax_id", 40, problem),
            "website": self._website(cell, problem),
            "notes": cell.get("notes", ""),
            "credit_limit": self._number(cell, "credit_limit", problem),
            "credit_days_rule": self._choice(cell, "credit_days_rule", RULE_WORDS, problem),
            "credit_days": self._days(cell, problem),
            "default_price_list_id": self._look_up(
                cell, "default_price_list", self.lookups.price_lists, problem
            ),
            "disabled": self._flag(cell, "disabled", problem),
        }
        if values["credit_days_rule"] == "fixed_days" and values["credit_days"] is None:
            problem("credit_days", "give the number of days for fixed-days terms.")
        return values

    def _contact(self, number, cell, values, plan) -> dict:
        problem = self._reporter(number, cell, plan)
        first, last = cell.get("contact_first_name", ""), cell.get("contact_last_name", "")
        if not first and not last and cell.get("contact_name"):
            first, _, last = cell["contact_name"].rpartition(" ")
            first, last = (first, last) if first else (last, "")
        phone = unmarked(cell.get("phone", ""))
        if not (first or last or unmarked(cell.get("email", "")) or phone):
            return {}
        email = self._email(cell, "email", problem)
        country = self._country(cell, problem)
        return {
            "first_name": (first or last or values["name"])[:100],
            "last_name": last[:100] if first else "",
            "email": email,
            "phone": normalize_phone(phone, country=country)[:40],
            "named": bool(first or last),
        }

    def _address(self, number, cell, plan) -> dict:
        problem = self._reporter(number, cell, plan)
        if not cell.get("address_line1"):
            return {}
        if not cell.get("city"):
            problem("city", "an address needs a city.")
        country = self._country(cell, problem)
        if not country:
            problem("country", "an address needs a country.")
        return {
            "line1": self._text(cell, "address_line1", 255, problem),
            "line2": self._text(cell, "address_line2", 255, problem),
            "city": self._text(cell, "city", 100, problem),
            "state": self._text(cell, "state", 100, problem),
            "postal_code": self._text(cell, "postal_code", 20, problem),
            "country": country,
        }

    # --- cells ------------------------------------------------------------------------------

    @staticmethod
    def _look_up(cell, name, table, problem) -> int | None:
        text = unmarked(cell.get(name, ""))
        if not text:
            return None
        found = table.get(text.casefold())
        if found is None:
            problem(name, f"no {COLUMN_BY_FIELD[name].header.lower()} has this name.")
        return found

    def _leaf(self, cell, name, table, problem) -> int | None:
        pk = self._look_up(cell, name, table, problem)
        if pk is not None and pk in self.lookups.group_nodes:
            problem(name, "this is a group of others; choose one of the entries inside it.")
        return pk

    @staticmethod
    def _website(cell, problem) -> str:
        text = unmarked(cell.get("website", ""))
        if not text:
            return ""
        url = text if "://" in text else f"http://{text}"
        if not PLAIN_URL.match(url):
            try:
                check_url(url)
            except ValidationError:
                problem("website", "not a web address.")
        if len(url) > 255:
            problem("website", "longer than 255 characters.")
        return url

    @staticmethod
    def _number(cell, name, problem) -> Decimal | None:
        try:
            return parse_decimal(cell.get(name, ""), minimum=0)
        except ValueError as error:
            problem(name, f"{error}.")
            return None

    @staticmethod
    def _days(cell, problem) -> int | None:
        text = unmarked(cell.get("credit_days", ""))
        if not text:
            return None
        if not text.isdigit() or int(text) > 3650:
            problem("credit_days", "use a whole number of days from 0 to 3650.")
            return None
        return int(text)

    # --- writing --------------------------------------------------------------------------

    @without_collector_pauses
    def write(self, plan: Plan, *, progress: Callable[[int], None] | None = None) -> None:
        """Write what `plan` found; call it in a transaction, with a plan without problems."""
        if not plan.is_valid:
            raise ValidationError("Fix the problems the preview lists before importing.")
        writing = _Writing(codes_in_file={row.values["code"].upper() for row in plan.rows} - {""})
        for start in range(0, len(plan.rows), BATCH_SIZE):
            self._write_batch(plan.rows[start : start + BATCH_SIZE], writing)
            if progress:
                progress(min(start + BATCH_SIZE, len(plan.rows)))

    @without_collector_pauses
    def plan_and_write(
        self, rows: Iterable, *, progress: Callable[[int], None] | None = None
    ) -> Plan:
        """The import itself, in the caller's transaction: check `rows` as `plan` does and
        write them a batch at a time, the cells of the next batch checked meanwhile in a
        second process (config.importing.parsed_beside). The first problem stops it with a
        ValidationError, and the caller rolls back what was written. `progress` hears how
        many of the rows are through."""
        rows = list(rows)
        plan = Plan()
        through = 0
        with parsed_beside(rows, self._parse_batch, BATCH_SIZE) as parsed:
            writing = _Writing(codes_in_file=_codes_in(rows))
            writing.ledger_names.expect(self._ledger_names_wanted(rows))
            planned = self._planned_batches(
                rows, plan, parsed_batches=parsed, codes=writing.codes_in_file
            )
            for batch in planned:
                if plan.problems:
                    raise ValidationError(problems_found_again(plan))
                self._write_batch(batch, writing)
                through = min(through + BATCH_SIZE, len(rows))
                if progress:
                    progress(through)
        return plan

    def _ledger_names_wanted(self, rows) -> set[tuple[int, str]]:
        """(company id, plain ledger name) for every row of the file that names a customer:
        what the ledgers of its new customers may be called, read at once for the file."""
        if "name" not in self.headers:
            return set()
        by_name, by_pk = self.lookups.companies, self.lookups.companies_by_pk
        wanted = set()
        for _, cells in rows:
            named = by_name.get(unmarked(clean(cells.get("company", ""))).casefold())
            company = by_pk[named] if named else self.defaults.company
            party = SimpleNamespace(name=clean(cells.get("name", "")))
            wanted.add((company.pk, ledger_name(party, company.abbreviation)))
        return wanted

    def _write_batch(self, rows: list[Row], writing: "_Writing") -> None:
        """Insert the new customers of `rows` and update the changed ones."""
        new = [row for row in rows if row.outcome == Outcome.NEW]
        _insert_customers(new, self.lookups, self.user, writing)
        changed = [row for row in rows if row.outcome == Outcome.UPDATED]
        _update_customers([row for row in changed if row.customer_changed], self._given, self.user)
        _update_primaries(changed, self.user)


class _Lookups:
    """The small master tables, read once per import, keyed by casefolded name."""

    def __init__(self):
        self.companies = {}
        for pk, name, abbreviation in Company.objects.values_list("pk", "name", "abbreviation"):
            self.companies[name.casefold()] = pk
            self.companies[abbreviation.casefold()] = pk
        self.companies_by_pk = Company.objects.in_bulk()
        self.groups, self.territories, self.group_nodes = {}, {}, set()
        for model, table in ((CustomerGroup, self.groups), (Territory, self.territories)):
            for pk, name, is_group in model.objects.values_list("pk", "name", "is_group"):
                table[name.casefold()] = pk
                if is_group:
                    self.group_nodes.add(pk)
        self.price_lists = {
            name.casefold(): pk for pk, name in PriceList.objects.values_list("pk", "name")
        }
        self.countries = Countries()


class Countries:
    """Country names and codes as files write them, matched to ISO codes."""

    def __init__(self):
        self._codes = _country_names()

    def code(self, text) -> str:
        """The ISO code of a country named or coded in `text` ("" if none), also when the
        name carries a parenthesis ("Slovakia (Slovak Republic)")."""
        for variant in (text, text.split(" (")[0]):
            if code := self._codes.get(_country_key(variant)):
                return code
        return ""


def _country_names() -> dict[str, str]:
    """Every way a file may name a country -> its ISO code: the codes, django-countries'
    names, ISO 3166's names, official and common names (pycountry), each also without its
    parenthesis, and the aliases below; compared without case and accents."""
    names = {}
    for country in pycountry.countries:
        code = country.alpha_2
        for name in (
            country.alpha_2,
            country.alpha_3,
            country.name,
            getattr(country, "official_name", ""),
            getattr(country, "common_name", ""),
        ):
            for variant in _variants(name):
                names.setdefault(variant, code)
    for code, name in countries:
        for variant in _variants(name):
            names.setdefault(variant, code)
    for code, aliases in COUNTRY_ALIASES.items():
        for alias in aliases:
            names[_country_key(alias)] = code
    return names


def _variants(name):
    if not name:
        return []
    return {_country_key(name), _country_key(name.split(" (")[0])}


def _country_key(text) -> str:
    decomposed = unicodedata.normalize("NFKD", " ".join(str(text).split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# Names files use that neither ISO 3166 (pycountry) nor django-countries know.
COUNTRY_ALIASES = {
    "US": ["U.S.A.", "U.S."],
    "GB": ["UK", "U.K.", "Great Britain", "Britain", "England", "Scotland", "Wales"],
    "KR": ["Korea", "Republic of Korea"],
    "NL": ["Holland", "The Netherlands"],
    "CI": ["Ivory Coast"],
    "CD": ["DR Congo", "Democratic Republic of Congo"],
    "SZ": ["Swaziland"],
    "CV": ["Cape Verde"],
    "TR": ["Turkey"],
    "MK": ["Macedonia"],
    "PS": ["Palestinian Territory"],
    "VA": ["Vatican"],
    "LY": ["Libyan Arab Jamahiriya"],
    "SJ": ["Svalbard & Jan Mayen Islands"],
    "VI": ["United States Virgin Islands", "US Virgin Islands"],
    "PN": ["Pitcairn Islands"],
}


def _repeated(codes, seen_codes) -> dict[int, int]:
    """For the batch's (code, row) pairs: each row whose code an earlier row of the file had
    (in `seen_codes`, or earlier in the batch) -> that row."""
    first_in_batch = {}
    repeats = {}
    for code, row in codes:
        if not code:
            continue
        if earlier := seen_codes.get(code) or first_in_batch.get(code):
            repeats[row] = earlier
        else:
            first_in_batch[code] = row
    return repeats


def _codes_in(rows) -> set[str]:
    """The codes (upper-cased) the cells of a file's rows give."""
    return {clean(cells.get("code", "")).upper() for _, cells in rows} - {""}


def _stored_codes(codes) -> set[str]:
    """Which of these codes (upper-cased) customers have: one query for a whole file, before
    anything of it is written, so that batches of new customers need none of their own."""
    codes = [code for code in codes if code]
    if not codes:
        return set()
    stored = Customer.objects.annotate(upper_code=Upper("code")).filter(
        AnyOf(F("upper_code"), codes)
    )
    return set(stored.values_list("upper_code", flat=True))


def _existing_customers(codes) -> dict[str, dict]:
    """The customers with these codes (upper-cased), with the fields an import can change."""
    if not codes:
        return {}
    rows = (
        Customer.objects.annotate(upper_code=Upper("code"))
        .filter(AnyOf(F("upper_code"), [code for code in codes if code]))
        .values("id", "upper_code", *CUSTOMER_FIELDS)
    )
    return {row["upper_code"]: row for row in rows}


@dataclass
class HeldPrimaries:
    """A customer's primary contact (id, names, primary email and phone) and primary billing
    address (id and parts), as an update compares them with a row."""

    contact: dict | None = None
    address: dict | None = None
    has_shipping: bool = False


def held_primaries(customer_ids, *, contacts: bool, addresses: bool) -> dict[int, HeldPrimaries]:
    """The primary contacts and addresses of these customers: a query for each."""
    held = {pk: HeldPrimaries() for pk in customer_ids}
    if contacts:
        phones = ContactPhone.objects.filter(contact_id=OuterRef("contact_id"), is_primary=True)
        links = primary_contact_links().filter(AnyOf(F("customer_id"), list(customer_ids)))
        for customer_id, pk, first, last, email, phone in links.annotate(
            primary_phone=Subquery(phones.values("number")[:1])
        ).values_list(
            "customer_id",
            "contact_id",
            "contact__first_name",
            "contact__last_name",
            "primary_email",
            "primary_phone",
        ):
            held[customer_id].contact = {
                "id": pk,
                "first_name": first,
                "last_name": last,
                "email": email or "",
                "phone": phone or "",
            }
    if addresses:
        links = AddressLink.objects.filter(AnyOf(F("customer_id"), list(customer_ids))).filter(
            Q(is_primary_billing=True) | Q(is_primary_shipping=True)
        )
        parts = [f"address__{name}" for name in ADDRESS_PARTS]
        for customer_id, billing, shipping, pk, *values in links.values_list(
            "customer_id", "is_primary_billing", "is_primary_shipping", "address_id", *parts
        ):
            held[customer_id].has_shipping |= shipping
            if billing:
                held[customer_id].address = {
                    "id": pk,
                    **dict(zip(ADDRESS_PARTS, values, strict=True)),
                }
    return held


def _comparable(part, value) -> str:
    """Emails compare without case; phone numbers as stored."""
    return value.casefold() if part == "email" else value


# --- bulk writes ----------------------------------------------------------------------------


@dataclass
class _Writing:
    """What the batches of one import share: the codes the file gives (generated codes avoid
    them) and the names its customers' ledgers take."""

    codes_in_file: set[str]
    ledger_names: LedgerNames = field(default_factory=LedgerNames)


def _insert_customers(rows, lookups, user, writing: _Writing):
    if not rows:
        return
    now = timezone.now()
    uncoded = sum(1 for row in rows if not row.values["code"])
    codes = iter(free_codes(Customer, uncoded, also_taken=writing.codes_in_file))
    for row in rows:
        row.values["code"] = row.values["code"] or next(codes)
    values = [CUSTOMER_VALUES(row.values) for row in rows]
    ids = insert_rows(Customer, CUSTOMER_FIELDS, values)
    record_history(Customer, ids, "+", user, now)
    open_ledgers_of_new_customers(
        [
            SimpleNamespace(pk=pk, name=row.values["name"], code=row.values["code"])
            for pk, row in zip(ids, rows, strict=True)
        ],
        companies=[lookups.companies_by_pk[row.values["company_id"]] for row in rows],
        names=writing.ledger_names,
    )
    owned = list(zip(ids, rows, strict=True))
    _insert_contacts([(pk, row.contact) for pk, row in owned if row.contact], user, now)
    _insert_addresses([(pk, row.address) for pk, row in owned if row.address], user, now)


def _insert_contacts(pairs, user, now):
    """A primary contact for each (customer id, contact values) pair."""
    if not pairs:
        return
    fields = ["first_name", "last_name"]
    values = [(contact["first_name"], contact["last_name"]) for _, contact in pairs]
    ids = insert_rows(Contact, fields, values)
    record_history(Contact, ids, "+", user, now)
    contacts = list(zip(ids, pairs, strict=True))
    insert_rows(
        ContactEmail,
        ["contact_id", "email", "is_primary"],
        [(pk, contact["email"], True) for pk, (_, contact) in contacts if contact["email"]],
    )
    insert_rows(
        ContactPhone,
        ["contact_id", "number", "is_primary"],
        [(pk, contact["phone"], True) for pk, (_, contact) in contacts if contact["phone"]],
    )
    insert_rows(
        ContactLink,
        ["contact_id", "customer_id", "is_primary"],
        [(pk, customer_id, True) for pk, (customer_id, _) in contacts],
    )


def _insert_addresses(pairs, user, now):
    """A primary billing and shipping address for each (customer id, address values) pair."""
    if not pairs:
        return
    fields = ["line1", "line2", "city", "state", "postal_code", "country"]
    values = [tuple(address[name] for name in fields) for _, address in pairs]
    ids = insert_rows(Address, fields, values)
    record_history(Address, ids, "+", user, now)
    insert_rows(
        AddressLink,
        ["address_id", "customer_id", "is_primary_billing", "is_primary_shipping"],
        [
            (pk, customer_id, True, address.get("shipping", True))
            for pk, (customer_id, address) in zip(ids, pairs, strict=True)
        ],
    )


def _update_customers(rows, given, user):
    """Save the changed fields of existing customers, with history; ledgers follow a new name
    or company as they do on a single save."""
    if not rows:
        return
    customers = Customer.objects.in_bulk([row.existing_id for row in rows])
    fields = [name for name in CUSTOMER_FIELDS if name != "code" and given(name)]
    now = timezone.now()
    for row in rows:
        customer = customers[row.existing_id]
        for name in fields:
            setattr(customer, name, row.values[name])
        customer.updated_at = now
    Customer.objects.bulk_update(customers.values(), [*fields, "updated_at"], batch_size=1000)
    record_history(Customer, list(customers), "~", user, now)
    open_party_ledgers(parties=list(customers.values()))


def _update_primaries(rows, user):
    """Create or change the primary contacts and addresses of existing customers (what
    `CustomerImport._contact_change` and `_address_change` found)."""
    now = timezone.now()
    contacts = [(row.existing_id, row.contact_change) for row in rows if row.contact_change]
    _insert_contacts([pair for pair in contacts if pair[1]["contact_id"] is None], user, now)
    _change_contacts([change for _, change in contacts if change["contact_id"]], user, now)
    addresses = [(row.existing_id, row.address_change) for row in rows if row.address_change]
    created = [
        (pk, {**change["values"], "shipping": change["shipping"]})
        for pk, change in addresses
        if not change["address_id"]
    ]
    _insert_addresses(created, user, now)
    change_records(
        Address,
        {change["address_id"]: change["values"] for _, change in addresses if change["address_id"]},
        user,
        now,
    )


def _change_contacts(changes, user, now):
    """New names, and a new primary email or phone, with a history row for every contact."""
    names = ("first_name", "last_name")
    change_records(
        Contact,
        {change["contact_id"]: {n: change[n] for n in names if n in change} for change in changes},
        user,
        now,
    )
    _switch_primary_entries(ContactEmail, "email", "email", changes)
    _switch_primary_entries(ContactPhone, "phone", "number", changes)


def _switch_primary_entries(model, part, column, changes):
    """Make each change's email (or phone) its contact's primary one: the entry the contact
    has already, else a new one."""
    switching = [change for change in changes if part in change]
    if not switching:
        return
    siblings = model.objects.filter(contact_id__in=[change["contact_id"] for change in switching])
    entries = {
        (contact_id, _comparable(part, value)): pk
        for pk, contact_id, value in siblings.values_list("pk", "contact_id", column)
    }
    held = [entries.get((c["contact_id"], _comparable(part, c[part]))) for c in switching]
    make_only_primary_in_bulk(siblings, [pk for pk in held if pk])
    insert_rows(
        model,
        ["contact_id", column, "is_primary"],
        [
            (change["contact_id"], change[part], True)
            for change, pk in zip(switching, held, strict=True)
            if pk is None
        ],
    )


def change_records(model, values_by_id, user, now):
    """Save new values of existing records ({id: {field: value}}), with history."""
    if not values_by_id:
        return
    records = model.objects.in_bulk(list(values_by_id))
    for pk, values in values_by_id.items():
        for name, value in values.items():
            setattr(records[pk], name, value)
        records[pk].updated_at = now
    fields = sorted({name for values in values_by_id.values() for name in values})
    model.objects.bulk_update(records.values(), [*fields, "updated_at"], batch_size=1000)
    record_history(model, list(records), "~", user, now)


def make_only_primary_in_bulk(siblings, chosen_ids, flag="is_primary") -> None:
    """`crm.services._make_only_primary` for many owners at once: unset `flag` on `siblings`
    (the rows of every owner concerned) except the chosen ones, then set it on those (the
    order the one-primary constraints need). Before inserting rows that are primary from the
    start, call it with their owners' rows and no chosen ids."""
    siblings.filter(**{flag: True}).exclude(pk__in=chosen_ids).update(**{flag: False})
    if chosen_ids:
        model = siblings.model
        model.objects.filter(pk__in=chosen_ids, **{flag: False}).update(**{flag: True})
