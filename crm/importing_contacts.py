"""Importing contacts in bulk, and what every import of records linked to a customer or
supplier shares (`LinkedImport`; addresses use it too, see crm.importing_addresses).

Each row names its party by code and holds one record (a contact, an address). The dry run
reads the parties of a batch of BATCH_SIZE rows in one query per kind, and their records with
the links in a fixed number of queries; the write goes in bulk (COPY on PostgreSQL) with
simple-history rows, in the caller's transaction. A row finds its existing record by a key
within its party (`LinkedRow.match`), and may make the record one of the party's primaries
(a flag on the link); the previous primary stops being one.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import islice

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from config.bulk import insert_rows, record_history
from config.importing import Column, Mode, Outcome, Plan, blank, clean, without_collector_pauses
from config.lookups import AnyOf

from .importing import (
    BATCH_SIZE,
    CellChecks,
    Countries,
    change_records,
    make_only_primary_in_bulk,
)
from .models import Contact, ContactEmail, ContactLink, ContactPhone, Customer, Supplier
from .services import normalize_phone

PARTY_MODELS = {"customer": Customer, "supplier": Supplier}


def party_columns(noun: str) -> list[Column]:
    return [
        Column(
            "customer_code",
            "Customer code",
            ("customer", "customer id", "customer no", "customer number"),
            help=f"The code of the customer the {noun} belongs to (or give a supplier code).",
        ),
        Column(
            "supplier_code",
            "Supplier code",
            ("supplier", "supplier id", "supplier no", "supplier number", "vendor code"),
            help=f"The code of the supplier the {noun} belongs to (or give a customer code).",
        ),
    ]


def flag_column(name: str, header: str, aliases: tuple[str, ...], what: str) -> Column:
    return Column(
        name,
        header,
        aliases,
        help=f"yes: the {what} of its customer or supplier (the previous one stops being it). "
        "no or empty: left as it is.",
    )


def casefolded(text: str) -> str:
    """Text compared as a clerk would: without case and with runs of spaces as one."""
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Party:
    """The customer or supplier a row belongs to; `kind` is the link's column."""

    kind: str
    pk: int
    code: str

    @property
    def key(self) -> tuple[str, int]:
        return self.kind, self.pk


@dataclass
class Record:
    """An existing record of a party, with its link."""

    pk: int
    link_pk: int
    party_key: tuple[str, int]
    values: dict
    matches: list[tuple]  # the keys that find it (as in LinkedRow.matches)
    primaries: set[str]  # the link's primary flags that are set
    extra: dict = field(default_factory=dict)


@dataclass
class LinkedRow:
    """One valid row: the record's values (only those of the file's columns), what else it
    adds, how it finds the existing record, and what it will do."""

    number: int
    party: Party
    values: dict
    extra: dict
    matches: tuple[tuple, ...]  # the keys that find its record, tried in turn; the first is
    # its key within the file
    label: str  # what a clerk recognises the record by: "Jane Doe"
    claimed: dict[str, str]  # the primary flags the file sets -> the cell's text
    primaries: set[str] = field(default_factory=set)  # the flags the row sets on its link
    outcome: Outcome = Outcome.NEW
    current: Record | None = None

    def __post_init__(self):
        self.primaries.update(self.claimed)

    @property
    def match(self) -> tuple:
        return self.matches[0]

    @property
    def key(self) -> str:
        return f"{self.party.code}: {self.label}"


@dataclass
class _Seen:
    """What the dry run remembers across batches."""

    rows_by_key: dict = field(default_factory=dict)  # (party key, match) -> row number
    rows_by_record: dict = field(default_factory=dict)  # existing record pk -> row number
    primary_rows: dict = field(default_factory=dict)  # (flag, party key) -> row number
    parties_with_primary: set = field(default_factory=set)  # (flag, party key)
    first_new_rows: dict = field(default_factory=dict)  # (flag, party key) -> LinkedRow


class LinkedImport(CellChecks):
    """An import of records linked to a customer or supplier. A subclass names the model, the
    link, the columns and the primary flags, and reads its own cells and records."""

    noun: str
    nouns: str
    model: type
    link_model: type
    record_fields: list[str]  # the model's fields a row sets
    flags: dict[str, str]  # link flag (also the column's field) -> what it makes the record
    columns: list[Column]
    column_by_field: dict[str, Column]

    def __init__(self, *, mode: Mode, headers: dict[str, str], user=None):
        self.mode, self.headers, self.user = mode, headers, user
        self.countries = Countries()

    # --- the dry run ----------------------------------------------------------------------

    @without_collector_pauses
    def plan(self, rows: Iterable) -> Plan:
        """`rows` are (row number, {field: text}) pairs; nothing is written."""
        self._refuse_missing_columns()
        plan, seen = Plan(), _Seen()
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH_SIZE)):
            self._plan_batch(batch, plan, seen)
        self._choose_first_primaries(seen)
        return plan

    def _refuse_missing_columns(self):
        if not {"customer_code", "supplier_code"} & self.headers.keys():
            raise ValidationError(
                f"The file has no Customer code or Supplier code column; each {self.noun} "
                "must name the customer or supplier it belongs to. Add one and upload the file "
                "again."
            )
        if self.mode != Mode.UPDATE:
            missing = [c.header for c in self.columns if c.required and c.field not in self.headers]
            if missing:
                raise ValidationError(
                    f"The file has no {', '.join(missing)} column; a new {self.noun} needs it."
                )

    def _plan_batch(self, batch, plan, seen):
        parties = _find_parties([cells for _, cells in batch])
        parsed = [self._parse(number, cells, parties, plan) for number, cells in batch]
        records = self._existing({row.party.key for row in parsed if row is not None})
        index = defaultdict(list)
        for record in records:
            for match in record.matches:
                index[(record.party_key, match)].append(record)
            seen.parties_with_primary.update((f, record.party_key) for f in record.primaries)
        for row in parsed:
            if row is not None and self._decide(row, index, plan, seen):
                plan.rows.append(row)
            plan.counts.add(row.outcome if row is not None else Outcome.INVALID)

    def _parse(self, number, cells, parties, plan) -> LinkedRow | None:
        problems_before = len(plan.problems)
        cell = {name: clean(cells.get(name, "")) for name in self.headers}
        problem = self._reporter(number, cell, plan)
        party = self._party(cell, parties, problem)
        values, extra = self._values(cell, problem)
        claimed = {flag: cell[flag] for flag in self.flags if self._flag(cell, flag, problem)}
        matches = self._matches(values, extra, problem)
        if len(plan.problems) > problems_before:
            return None
        label = self._label(values, extra)
        return LinkedRow(number, party, values, extra, matches, label, claimed)

    def _party(self, cell, parties, problem) -> Party | None:
        given = [name for name in ("customer_code", "supplier_code") if blank(cell.get(name))]
        if not given:
            problem(
                self._party_column(),
                f"give the code of the customer or supplier this {self.noun} belongs to.",
            )
            return None
        if len(given) > 1:
            problem("supplier_code", "give a customer code or a supplier code, not both.")
            return None
        kind = given[0].removesuffix("_code")
        party = parties.get((kind, blank(cell[given[0]]).upper()))
        if party is None:
            problem(given[0], f"no {kind} has this code.")
        return party

    def _party_column(self) -> str:
        return "customer_code" if "customer_code" in self.headers else "supplier_code"

    def _decide(self, row, index, plan, seen) -> bool:
        """Set the row's outcome against the party's records; False: not written."""
        problems_before = len(plan.problems)
        problem = self._row_reporter(row, plan)
        key = (row.party.key, row.match)
        found = next((index[(key[0], m)] for m in row.matches if (key[0], m) in index), [])
        if key in seen.rows_by_key:
            earlier = seen.rows_by_key[key]
            problem(f"row {earlier} has the same {self.noun}; give each {self.noun} once.")
        elif len(found) > 1:
            problem(
                f"{len(found)} {self.nouns} of {row.party.code} match; tell them apart on "
                f"their pages first, or give a {self._tell_apart()}."
            )
        elif found:
            self._decide_existing(row, found[0], problem, seen)
        elif self.mode == Mode.UPDATE:
            problem(f"no {self.noun} of {row.party.code} matches; use insert-or-update to add it.")
        else:
            self._check_new(row, problem)
        seen.rows_by_key.setdefault(key, row.number)
        self._claim_primaries(row, plan, seen)
        if len(plan.problems) > problems_before:
            row.outcome = Outcome.INVALID
            return False
        if row.outcome == Outcome.NEW:
            for flag in self.flags:
                seen.first_new_rows.setdefault((flag, row.party.key), row)
        return row.outcome != Outcome.UNCHANGED

    def _decide_existing(self, row, record, problem, seen):
        if self.mode == Mode.INSERT:
            problem(
                f"{row.party.code} already has this {self.noun}; choose update or insert-or-update."
            )
            return
        if record.pk in seen.rows_by_record:
            earlier = seen.rows_by_record[record.pk]
            problem(f"row {earlier} changes the same {self.noun}; give each {self.noun} once.")
        seen.rows_by_record.setdefault(record.pk, row.number)
        row.current = record
        changed = self._changes(row, record) or bool(row.primaries - record.primaries)
        row.outcome = Outcome.UPDATED if changed else Outcome.UNCHANGED

    def _claim_primaries(self, row, plan, seen):
        for flag, text in row.claimed.items():
            claim = (flag, row.party.key)
            if claim in seen.primary_rows:
                earlier = seen.primary_rows[claim]
                self._problem(
                    plan, row.number, flag, text,
                    f"row {earlier} already makes its {self.noun} the {self.flags[flag]} of "
                    f"{row.party.code}; mark only one.",
                )  # fmt: skip
            seen.primary_rows.setdefault(claim, row.number)

    def _choose_first_primaries(self, seen):
        """A party with no primary gets its first new record as one, as `save_contact` and
        `save_address` do (unless the file chooses another)."""
        for claimed, row in seen.first_new_rows.items():
            if claimed not in seen.parties_with_primary | seen.primary_rows.keys():
                row.primaries.add(claimed[0])

    def _row_reporter(self, row, plan):
        """Reports a problem of a parsed row: on its key's column unless another is named."""

        def problem(message, column=None):
            column = column or self._key_column(row)
            self._problem(plan, row.number, column, self._shown(row, column), message)

        return problem

    def _shown(self, row, name) -> str:
        value = row.values.get(name, row.extra.get(name, ""))
        return str(value or "")

    # --- what a subclass says -----------------------------------------------------------------

    def _values(self, cell, problem) -> tuple[dict, dict]:
        """The record's values of the file's columns, and what else the row adds."""
        raise NotImplementedError

    def _matches(self, values, extra, problem) -> tuple[tuple, ...]:
        raise NotImplementedError

    def _label(self, values, extra) -> str:
        raise NotImplementedError

    def _key_column(self, row) -> str:
        raise NotImplementedError

    def _tell_apart(self) -> str:
        raise NotImplementedError

    def _check_new(self, row, problem):
        """Report what a new record lacks: problem(message, column name)."""
        raise NotImplementedError

    def _existing(self, party_keys) -> list[Record]:
        raise NotImplementedError

    def _changes(self, row, record) -> bool:
        return any(record.values[name] != value for name, value in row.values.items())

    def _new_values(self, row) -> dict:
        """Every field of `record_fields` for a new record."""
        raise NotImplementedError

    def _after_insert(self, rows, ids):
        """Write what belongs to the new records (ids in the order of rows)."""

    def _after_update(self, rows):
        """Write what the rows add to their existing records."""

    # --- writing --------------------------------------------------------------------------

    @without_collector_pauses
    def write(self, plan: Plan, *, progress: Callable[[int], None] | None = None) -> None:
        """Write what `plan` found; call it in a transaction, with a plan without problems.
        `progress` hears how many rows are written after each batch."""
        if not plan.is_valid:
            raise ValidationError("Fix the problems the preview lists before importing.")
        now = timezone.now()
        for start in range(0, len(plan.rows), BATCH_SIZE):
            rows = plan.rows[start : start + BATCH_SIZE]
            new = [row for row in rows if row.outcome == Outcome.NEW]
            changed = [row for row in rows if row.outcome == Outcome.UPDATED]
            self._switch_primaries(rows)
            ids = self._insert_records(new, now)
            self._insert_links(new, ids)
            self._update_records(changed, now)
            if progress:
                progress(start + len(rows))

    def _switch_primaries(self, rows):
        """The existing records the rows make primary become so, the previous ones stop being
        so, before the new records' links go in (already flagged)."""
        for flag in self.flags:
            taking = [row for row in rows if flag in row.primaries]
            if taking:
                links = self.link_model.objects.filter(
                    links_of_parties(row.party for row in taking)
                )
                keep = [row.current.link_pk for row in taking if row.current is not None]
                make_only_primary_in_bulk(links, keep, flag)

    def _insert_records(self, rows, now) -> list[int]:
        if not rows:
            return []
        values = [_in_order(self._new_values(row), self.record_fields) for row in rows]
        ids = insert_rows(self.model, self.record_fields, values)
        record_history(self.model, ids, "+", self.user, now)
        self._after_insert(rows, ids)
        return ids

    def _insert_links(self, rows, ids):
        record_id = f"{self.model._meta.model_name}_id"
        insert_rows(
            self.link_model,
            [record_id, "customer_id", "supplier_id", *self.flags],
            [
                (
                    pk,
                    *_party_ids(row.party),
                    *(flag in row.primaries for flag in self.flags),
                )
                for pk, row in zip(ids, rows, strict=True)
            ],
        )

    def _update_records(self, rows, now):
        if rows:
            change_records(self.model, {r.current.pk: r.values for r in rows}, self.user, now)
            self._after_update(rows)


def _in_order(values: dict, names) -> tuple:
    return tuple(values[name] for name in names)


def _find_parties(cells_of_rows) -> dict[tuple[str, str], Party]:
    """The customers and suppliers the rows name, by (kind, upper-case code): a query each."""
    parties = {}
    for kind, model in PARTY_MODELS.items():
        codes = {blank(cells.get(f"{kind}_code", "")).upper() for cells in cells_of_rows}
        codes.discard("")
        if not codes:
            continue
        found = (
            model.objects.annotate(upper_code=Upper("code"))
            .filter(AnyOf(F("upper_code"), list(codes)))
            .values_list("upper_code", "pk", "code")
        )
        for upper_code, pk, code in found:
            parties[(kind, upper_code)] = Party(kind, pk, code)
    return parties


def _party_ids(party) -> tuple[int | None, int | None]:
    """(customer id, supplier id) of a link to the party."""
    return (party.pk, None) if party.kind == "customer" else (None, party.pk)


def links_of_parties(parties) -> Q:
    """The links of these parties (Party objects or (kind, pk) keys)."""
    ids = defaultdict(set)
    for party in parties:
        kind, pk = party.key if isinstance(party, Party) else party
        ids[kind].add(pk)
    condition = Q(pk__in=[])
    for kind, pks in ids.items():
        condition |= Q(**{f"{kind}_id__in": sorted(pks)})
    return condition


def link_party_key(customer_id, supplier_id) -> tuple[str, int]:
    return ("customer", customer_id) if customer_id is not None else ("supplier", supplier_id)


# --- contacts -------------------------------------------------------------------------------

CONTACT_FIELDS = [
    "salutation",
    "first_name",
    "middle_name",
    "last_name",
    "designation",
    "department",
    "notes",
]
NAME_LIMITS = {
    "salutation": 20,
    "first_name": 100,
    "middle_name": 100,
    "last_name": 100,
    "designation": 100,
    "department": 100,
}

CONTACT_COLUMNS = [
    *party_columns("contact"),
    Column("salutation", "Salutation", ("prefix", "title")),
    Column(
        "first_name",
        "First name",
        ("firstname", "given name", "contact first name", "forename"),
        help="Required for a new contact, unless the file has a Contact name column.",
    ),
    Column("middle_name", "Middle name", ("middlename", "second name")),
    Column("last_name", "Last name", ("lastname", "surname", "family name", "contact last name")),
    Column(
        "contact_name",
        "Contact name",
        ("full name", "contact", "contact person", "name"),
        help="The whole name, read where First name and Last name are empty: the last word is "
        "the last name.",
    ),
    Column("designation", "Designation", ("job title", "position", "role")),
    Column("department", "Department", ("dept",)),
    Column("email", "Email", ("e-mail", "email address", "mail", "contact email", "email id")),
    Column(
        "phone", "Phone", ("phone 1", "telephone", "tel", "mobile", "mobile no", "phone number")
    ),
    Column(
        "country",
        "Country",
        ("country code", "country name"),
        help="Only read to understand phone numbers written without +.",
    ),
    Column("notes", "Notes", ("note", "comment", "comments", "remarks")),
    flag_column(
        "is_primary",
        "Primary",
        ("primary contact", "main contact", "is primary", "is primary contact"),
        "primary contact",
    ),
]


class ContactImport(LinkedImport):
    """One import of contacts, each linked to a customer or supplier. An existing contact of
    the party is found by its email (any of its emails, without case); in a row without an
    email, or whose email no contact of the party has yet, by its first and last name. A new
    email or phone is added to the contact's others."""

    noun, nouns = "contact", "contacts"
    model = Contact
    link_model = ContactLink
    record_fields = CONTACT_FIELDS
    flags = {"is_primary": "primary contact"}
    columns = CONTACT_COLUMNS
    column_by_field = {column.field: column for column in CONTACT_COLUMNS}

    def _refuse_missing_columns(self):
        super()._refuse_missing_columns()
        names = {"first_name", "contact_name"} & self.headers.keys()
        if self.mode != Mode.UPDATE and not names:
            raise ValidationError(
                "The file has no First name or Contact name column; a new contact needs a name."
            )
        if self.mode == Mode.UPDATE and not (names or "email" in self.headers):
            raise ValidationError(
                "Updating needs an Email or a First name column to find each contact."
            )

    def _values(self, cell, problem):
        values = {
            name: self._text(cell, name, NAME_LIMITS[name], problem)
            for name in NAME_LIMITS
            if name in self.headers
        }
        if "notes" in self.headers:
            values["notes"] = cell["notes"]
        if cell.get("contact_name") and not (cell.get("first_name") or cell.get("last_name")):
            first, _, last = cell["contact_name"].rpartition(" ")
            values["first_name"], values["last_name"] = (first, last) if first else (last, "")
            for name in ("first_name", "last_name"):
                if len(values[name]) > NAME_LIMITS[name]:
                    problem("contact_name", f"a name part is longer than {NAME_LIMITS[name]}.")
        if not values.get("first_name", True):
            del values["first_name"]  # required: an empty cell keeps a contact's first name
        country = self._country(cell, problem)
        phone = normalize_phone(blank(cell.get("phone", "")), country=country)
        if len(phone) > 40:
            problem("phone", "longer than 40 characters.")
        return values, {"email": self._email(cell, "email", problem), "phone": phone}

    def _matches(self, values, extra, problem) -> tuple[tuple, ...]:
        """By email; when no contact of the party has it, by first and last name."""
        first = values.get("first_name", "")
        by_name = ("name", casefolded(first), casefolded(values.get("last_name", "")))
        if extra["email"]:
            by_email = ("email", extra["email"].casefold())
            return (by_email, by_name) if first else (by_email,)
        if not first:
            name = "first_name" if "first_name" in self.headers else "contact_name"
            problem(name, "give a first name or an email to tell which contact this is.")
        return (by_name,)

    def _label(self, values, extra) -> str:
        names = (values.get(name, "") for name in ("first_name", "middle_name", "last_name"))
        return " ".join(part for part in names if part) or extra["email"]

    def _key_column(self, row) -> str:
        if row.match[0] == "email":
            return "email"
        return "first_name" if "first_name" in self.headers else "contact_name"

    def _shown(self, row, name) -> str:
        if name == "contact_name":
            return " ".join(row.values.get(n, "") for n in ("first_name", "last_name")).strip()
        return super()._shown(row, name)

    def _tell_apart(self) -> str:
        return "contact's email"

    def _check_new(self, row, problem):
        if not row.values.get("first_name"):
            name = "first_name" if "first_name" in self.headers else "contact_name"
            problem("a new contact needs a first name.", name)

    def _existing(self, party_keys) -> list[Record]:
        """The contacts of these parties with their links, emails and phones: three queries."""
        if not party_keys:
            return []
        links = ContactLink.objects.filter(links_of_parties(party_keys))
        rows = links.values_list(
            "pk", "contact_id", "customer_id", "supplier_id", "is_primary",
            *(f"contact__{name}" for name in CONTACT_FIELDS),
        )  # fmt: skip
        contact_ids = links.values("contact_id")
        emails = _entries(ContactEmail, "email", contact_ids, str.casefold)
        phones = _entries(ContactPhone, "number", contact_ids, str)
        records = []
        for pk, contact_id, customer_id, supplier_id, is_primary, *fields in rows:
            values = dict(zip(CONTACT_FIELDS, fields, strict=True))
            matches = [("email", email) for email in emails[contact_id]]
            name = (casefolded(values["first_name"]), casefolded(values["last_name"]))
            matches.append(("name", *name))
            records.append(
                Record(
                    contact_id,
                    pk,
                    link_party_key(customer_id, supplier_id),
                    values,
                    matches,
                    {"is_primary"} if is_primary else set(),
                    {"emails": emails[contact_id], "phones": phones[contact_id]},
                )
            )
        return records

    def _changes(self, row, record) -> bool:
        email, phone = row.extra["email"], row.extra["phone"]
        return (
            super()._changes(row, record)
            or bool(email and email.casefold() not in record.extra["emails"])
            or bool(phone and phone not in record.extra["phones"])
        )

    def _new_values(self, row) -> dict:
        return {name: row.values.get(name, "") for name in CONTACT_FIELDS}

    def _after_insert(self, rows, ids):
        owned = list(zip(ids, rows, strict=True))
        self._add(ContactEmail, "email", [(pk, row.extra["email"], True) for pk, row in owned])
        self._add(ContactPhone, "number", [(pk, row.extra["phone"], True) for pk, row in owned])

    def _after_update(self, rows):
        """A new email or phone is added beside the others; primary when the contact has none."""
        emails, phones = [], []
        for row in rows:
            have = row.current.extra
            email, phone = row.extra["email"], row.extra["phone"]
            if email and email.casefold() not in have["emails"]:
                emails.append((row.current.pk, email, not any(have["emails"].values())))
            if phone and phone not in have["phones"]:
                phones.append((row.current.pk, phone, not any(have["phones"].values())))
        self._add(ContactEmail, "email", emails)
        self._add(ContactPhone, "number", phones)

    @staticmethod
    def _add(model, column, entries):
        insert_rows(model, ["contact_id", column, "is_primary"], [e for e in entries if e[1]])


def _entries(model, column, contact_ids, comparable) -> dict[int, dict[str, bool]]:
    """The contacts' emails or phones: contact id -> {value as compared: is primary}."""
    entries = defaultdict(dict)
    found = model.objects.filter(contact_id__in=contact_ids)
    for contact_id, value, primary in found.values_list("contact_id", column, "is_primary"):
        entries[contact_id][comparable(value)] = primary
    return entries
