"""A batched importer for simple records (groups, territories, price lists, items...), built
from declarations: the fields with their columns and cell parsers, and the fields whose values
find an existing record (compared without case).

`RecordImport.plan(rows)` parses BATCH_SIZE rows at a time, reads the existing records of a
batch in one query, and judges every row new, updated, unchanged or invalid, the way
`crm.importing.CustomerImport` does. Rules that need the whole file (a tree's parents, the
windows of item prices) go in `check(rows, plan)`. `write(plan)` inserts the new records in
bulk (COPY on PostgreSQL) and updates the changed ones with `bulk_update`, with their
simple-history rows, in a constant number of queries per batch.
"""

import copy
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import islice

import pycountry
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from config.bulk import insert_rows, record_history
from config.importing import (
    Column,
    Mode,
    Outcome,
    Plan,
    Problem,
    blank,
    clean,
    parse_bool,
    parse_decimal,
    without_collector_pauses,
)
from config.lookups import AnyOf

BATCH_SIZE = 5000
UPDATE_BATCH_SIZE = 1000

# --- cells ----------------------------------------------------------------------------------


class Parser:
    """Turns a cell's text into a field's value, or raises ValueError saying what to do."""

    default = None  # what an empty cell (or a missing column, for a new record) gives

    def load(self) -> None:
        """Read what the parser needs from the database, once per import."""

    def parse(self, text: str):
        raise NotImplementedError

    def __call__(self, text: str):
        return self.parse(text) if text else self.default

    @staticmethod
    def word(text: str) -> str:
        return " ".join(blank(text).lower().replace("-", " ").replace("_", " ").split())


class Text(Parser):
    """Free text, kept as typed (markers such as "n/a" included)."""

    def __init__(self, max_length: int, default=""):
        self.max_length, self.default = max_length, default

    def parse(self, text):
        if len(text) > self.max_length:
            raise ValueError(f"longer than {self.max_length} characters ({len(text)}).")
        return text


class Choice(Parser):
    """One of a model's choices, by its value or label ("Channel Partner", "channel_partner"),
    or by one of the extra `words`."""

    default = ""

    def __init__(self, choices, words: dict[str, str] | None = None, default=""):
        self.labels = dict(choices)
        self.words = {self.word(value): value for value in self.labels}
        self.words |= {self.word(label): value for value, label in self.labels.items()}
        self.words |= {self.word(word): value for word, value in (words or {}).items()}
        self.default = default

    def parse(self, text):
        word = self.word(text)
        if not word:
            return self.default
        if word not in self.words:
            raise ValueError(f"use one of: {', '.join(self.labels.values())}.")
        return self.words[word]


class Number(Parser):
    """A decimal number with at most `places` places, between `minimum` and `maximum`."""

    def __init__(self, *, places=2, minimum=None, maximum=None, default=None):
        self.places, self.minimum, self.maximum, self.default = places, minimum, maximum, default

    def parse(self, text):
        try:
            number = parse_decimal(text, places=self.places, minimum=self.minimum)
        except ValueError as error:
            raise ValueError(f"{error}.") from None
        if number is None:
            return self.default
        if self.maximum is not None and number > self.maximum:
            raise ValueError(f"must be at most {self.maximum}.")
        return number


class WholeNumber(Parser):
    def __init__(self, *, minimum=0, maximum=None):
        self.minimum, self.maximum = minimum, maximum

    def parse(self, text):
        text = blank(text)
        if not text:
            return None
        top = "" if self.maximum is None else f" to {self.maximum}"
        message = f"use a whole number from {self.minimum}{top}."
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ValueError(message)
        number = int(text)
        if number < self.minimum or (self.maximum is not None and number > self.maximum):
            raise ValueError(message)
        return number


class Flag(Parser):
    default = False

    def __init__(self, default=False):
        self.default = default

    def parse(self, text):
        try:
            return parse_bool(text)
        except ValueError as error:
            raise ValueError(f"{error}.") from None


MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (date(2000, number, 1).strftime("%b"), date(2000, number, 1).strftime("%B"))
}
NUMERIC_DATE = re.compile(r"(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})")
WORDED_DATE = re.compile(r"(?:(\d{1,2})\.?\s+([a-z]+)\.?,?\s+|([a-z]+)\.?\s+(\d{1,2}),?\s+)(\d{4})")
DATE_HELP = "write the date as YYYY-MM-DD (for example 2026-03-31)."


class Day(Parser):
    """A date as a clerk types it: 2026-03-31, 31.03.2026, 31/03/2026, 03/31/2026, 31 Mar 2026,
    March 31, 2026. When both first numbers could be the month (04/05/2026) it is refused."""

    def parse(self, text):
        text = blank(text).lower()
        if not text:
            return None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}([ t]00:00(:00)?)?", text):
            return self._date(int(text[:4]), int(text[5:7]), int(text[8:10]))
        if numeric := NUMERIC_DATE.fullmatch(text):
            return self._numeric(*numeric.groups())
        if worded := WORDED_DATE.fullmatch(text):
            day, month, month_first, day_second, year = worded.groups()
            month_number = MONTHS.get((month or month_first)[:3])
            if month_number:  # "31 March 2026", "Mar 31, 2026"
                return self._date(int(year), month_number, int(day or day_second))
        raise ValueError(f"not a date; {DATE_HELP}")

    def _numeric(self, first, separator, middle, last):
        if len(first) == 4:  # 2026/03/31
            return self._date(int(first), int(middle), int(last))
        if len(last) != 4:
            raise ValueError(f"give the year with four digits; {DATE_HELP}")
        first, middle, year = int(first), int(middle), int(last)
        if separator == "." or first > 12 or first == middle:  # 31.03.2026, 31/03/2026
            return self._date(year, middle, first)
        if middle > 12:  # 03/31/2026
            return self._date(year, first, middle)
        raise ValueError(f"could be day/month or month/day; {DATE_HELP}")

    @staticmethod
    def _date(year, month, day):
        try:
            return date(year, month, day)
        except ValueError:
            raise ValueError(f"no such day; {DATE_HELP}") from None


class CurrencyCode(Parser):
    default = ""

    def parse(self, text):
        code = blank(text).upper()
        if not code:
            return ""
        if pycountry.currencies.get(alpha_3=code) is None:
            raise ValueError("not an ISO 4217 currency code; use one such as EUR, USD or GBP.")
        return code


class Lookup(Parser):
    """Another record by one of its `fields` (a name, a code, an abbreviation), without case:
    read once per import into a dict. Gives the record's primary key."""

    def __init__(self, model, fields=("name",), *, queryset=None):
        self.model, self.fields, self.queryset = model, fields, queryset
        self.table: dict[str, int] = {}

    def load(self):
        queryset = self.queryset if self.queryset is not None else self.model.objects.all()
        self.table = {}
        for pk, *values in queryset.order_by().values_list("pk", *self.fields):
            for value in values:
                self.table.setdefault(str(value).casefold(), pk)

    def parse(self, text):
        text = blank(text)
        if not text:
            return None
        found = self.table.get(text.casefold())
        if found is None:
            noun = self.model._meta.verbose_name
            raise ValueError(
                f"no {noun} has this {' or '.join(self.fields)}; check the spelling, or add "
                f"the {noun} first."
            )
        return found


# --- declarations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A column of the file, how its cells are read, and the model attribute they go to."""

    column: Column
    parser: Parser
    attname: str = ""  # default: the column's field name
    required: bool = False  # a new record needs a value (a missing column is refused earlier)

    @property
    def name(self) -> str:
        return self.column.field

    @property
    def target(self) -> str:
        return self.attname or self.column.field


@dataclass
class Row:
    """One row of the file: its values (model attribute -> value), the record it updates and
    what it will do. `key` is what the import page lists for new records."""

    number: int
    values: dict
    key: str
    match: tuple = ()  # the key as compared: text upper-cased
    current: dict | None = None  # the existing record's values, for updates
    outcome: Outcome = Outcome.NEW
    cells: dict = field(default_factory=dict)  # field -> the cell's text, for messages

    @property
    def existing_id(self) -> int | None:
        return self.current["id"] if self.current else None


@dataclass
class _Planning:
    """The state of one dry run, across its batches."""

    plan: Plan
    rows: list[Row] = field(default_factory=list)
    seen: dict = field(default_factory=dict)  # key -> first row with it


class RecordImport:
    """An import of one model's records. Subclasses declare `model`, `fields`, `key_fields`
    (field names) and may add rules in `check_row` (one row, with the record it updates) and
    `check` (the whole file), and work after writing in `after_insert` / `after_update`."""

    model = None
    fields: list[Field] = []
    key_fields: tuple[str, ...] = ("name",)
    # update before inserting, when updates make room for new records (end a price window)
    updates_first = False

    def __init__(self, *, mode: Mode, headers: dict[str, str], user=None, defaults=None):
        self.mode, self.headers, self.user, self.defaults = mode, headers, user, defaults
        # each import reads its own look-up tables into its own parsers
        self.fields = [replace(f, parser=copy.copy(f.parser)) for f in type(self).fields]
        self.field_by_name = {f.name: f for f in self.fields}
        self.noun = self.model._meta.verbose_name

    @classmethod
    def columns(cls) -> list[Column]:
        return [f.column for f in cls.fields]

    # --- the dry run ------------------------------------------------------------------------

    @without_collector_pauses
    def plan(self, rows: Iterable) -> Plan:
        """`rows` are (row number, {field: text}) pairs; nothing is written."""
        self._refuse_missing_columns()
        for parser in {id(f.parser): f.parser for f in self.fields}.values():
            parser.load()
        self.load()
        planning = _Planning(Plan())
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH_SIZE)):
            self._plan_batch(batch, planning)
        valid = [row for row in planning.rows if row.outcome != Outcome.INVALID]
        self.check(valid, planning.plan)
        return self._finish(planning)

    def load(self) -> None:
        """Read what the rules need once per import (a whole tree, say)."""

    def _refuse_missing_columns(self):
        missing = [f.column for f in self.fields if f.column.required and f.name not in self]
        if missing and self.mode != Mode.UPDATE:
            names = ", ".join(column.header for column in missing)
            raise ValidationError(f"The file has no {names} column; it is required.")
        absent = [name for name in self.key_fields if name not in self]
        if absent and self.mode != Mode.INSERT:
            names = ", ".join(self.field_by_name[name].column.header for name in absent)
            raise ValidationError(f"Updating needs the {names} column to find each {self.noun}.")

    def __contains__(self, name) -> bool:
        """Whether the file has the column of field `name`."""
        return name in self.headers

    def _plan_batch(self, batch, planning):
        parsed = [self._parse(number, cells, planning.plan) for number, cells in batch]
        valid = [row for row in parsed if row.outcome != Outcome.INVALID]
        existing = self.existing([row.match for row in valid if self._has_key(row)])
        for row in valid:
            if self._has_key(row) and self._is_repeat(row, planning):
                continue
            row.current = existing.get(row.match)
            self._judge(row, planning.plan)
        planning.rows.extend(parsed)

    @staticmethod
    def _has_key(row) -> bool:
        """Whether the row names its record (a blank code asks for a new one)."""
        return row.match[0] not in ("", None)

    def _key_words(self) -> str:
        """'name', or 'price list, item code and valid from'."""
        words = [self.header(name).lower() for name in self.key_fields]
        return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)

    def _is_repeat(self, row, planning) -> bool:
        first = planning.seen.setdefault(row.match, row.number)
        if first == row.number:
            return False
        self.refuse(
            planning.plan,
            row,
            self.key_fields[0],
            f"the same {self._key_words()} is on row {first}; each {self.noun} may appear once.",
        )
        return True

    def _parse(self, number, cells, plan) -> Row:
        cell = {name: clean(cells.get(name, "")) for name in self.headers}
        values, problems = {}, []
        for f in self.fields:
            text = cell.get(f.name, "")
            try:
                values[f.target] = f.parser(text)
            except ValueError as error:
                problems.append(Problem(number, self.header(f.name), text, str(error)))
                continue
            if f.required and f.name in self and values[f.target] in ("", None):
                message = f"a {f.column.header.lower()} is required."
                problems.append(Problem(number, self.header(f.name), text, message))
        if problems:
            plan.problems.extend(problems)
            return Row(number, values, "", cells=cell, outcome=Outcome.INVALID)
        return Row(number, values, self.key_text(values), self.match_of(values), cells=cell)

    def _judge(self, row, plan):
        """Check the row against the record it matches and the mode."""
        if row.current is None and self.mode == Mode.UPDATE:
            key = self.key_fields[0]
            given = row.cells.get(key, "")
            message = (
                f"no {self.noun} has this {self._key_words()}; use insert-or-update to add it."
                if given
                else f"give the {self.header(key).lower()} of the {self.noun} to update."
            )
            self.refuse(plan, row, key, message)
            return
        if row.current is not None and self.mode == Mode.INSERT:
            self.refuse(
                plan,
                row,
                self.key_fields[0],
                f"{self.describe(row.current)} already exists; choose update or insert-or-update.",
            )
            return
        self.check_row(row, plan)

    def check_row(self, row: Row, plan: Plan) -> None:
        """Rules of one row that need its final values (see `final`); refuse() to refuse."""

    def check(self, rows: list[Row], plan: Plan) -> None:
        """Rules across the rows of the whole file; refuse() the rows that break them."""

    def _finish(self, planning) -> Plan:
        plan = planning.plan
        for row in planning.rows:
            if row.outcome != Outcome.INVALID:
                row.outcome = self._outcome(row)
            plan.counts.add(row.outcome)
        plan.rows = [row for row in planning.rows if row.outcome in WRITTEN]
        plan.problems.sort(key=lambda problem: problem.row)
        return plan

    def _outcome(self, row) -> Outcome:
        if row.current is None:
            return Outcome.NEW
        changed = any(row.current[name] != row.values[name] for name in self.given_attnames(row))
        return Outcome.UPDATED if changed else Outcome.UNCHANGED

    def given_attnames(self, row) -> list[str]:
        """The attributes an update writes: those of the file's columns, keys excepted."""
        return [f.target for f in self.fields if f.name in self and f.name not in self.key_fields]

    # --- helpers for the rules --------------------------------------------------------------

    def header(self, name) -> str:
        """The column of field `name` as the file heads it (else as the template does)."""
        return self.headers.get(name) or self.field_by_name[name].column.header

    def refuse(self, plan, row, name, message) -> None:
        """Record a problem of `row` in the column of field `name` ("" for the whole row);
        the row is then invalid."""
        column = self.header(name) if name else ""
        plan.problems.append(Problem(row.number, column, row.cells.get(name, ""), message))
        row.outcome = Outcome.INVALID

    def final(self, row, attname):
        """The value the record will have: the file's when it has the column, else the
        existing record's, else the default."""
        given = any(f.target == attname and f.name in self for f in self.fields)
        if given or row.current is None:
            return row.values[attname]
        return row.current[attname]

    def describe(self, current: dict) -> str:
        key = self.key_fields[0]
        return f"A {self.noun} with the {self.header(key).lower()} {current[key]}"

    # --- keys and existing records -------------------------------------------------------

    def match_of(self, values) -> tuple:
        return tuple(
            _comparable(values[self.field_by_name[name].target]) for name in self.key_fields
        )

    def key_text(self, values) -> str:
        return " › ".join(
            str(values[self.field_by_name[name].target] or "") for name in self.key_fields
        )

    def stored_attnames(self) -> list[str]:
        return [f.target for f in self.fields]

    def existing(self, matches: list[tuple]) -> dict[tuple, dict]:
        """The records with these keys (one query), as {match: values}."""
        if not matches:
            return {}
        queryset = self.model.objects.order_by()
        for index, name in enumerate(self.key_fields):
            queryset = self._narrow(queryset, name, {match[index] for match in matches})
        attnames = {"id", *self.stored_attnames()}
        found = {}
        for record in queryset.values(*attnames):
            found[self.match_of(record)] = record
        return found

    def _narrow(self, queryset, name, wanted):
        attname = self.field_by_name[name].target
        present = {value for value in wanted if value is not None}
        if isinstance(self.field_by_name[name].parser, Text):
            alias = f"upper_{attname}"
            return queryset.annotate(**{alias: Upper(attname)}).filter(
                AnyOf(F(alias), list(present))
            )
        condition = AnyOf(F(attname), list(present))
        if None in wanted:
            condition |= Q(**{f"{attname}__isnull": True})
        return queryset.filter(condition)

    # --- writing ----------------------------------------------------------------------------

    @without_collector_pauses
    def write(self, plan: Plan, *, progress: Callable[[int], None] | None = None) -> None:
        """Write what `plan` found; call it in a transaction, with a plan without problems.
        `progress` is told how many rows are written after each batch."""
        if not plan.is_valid:
            raise ValidationError("Fix the problems the preview lists before importing.")
        new = [row for row in plan.rows if row.outcome == Outcome.NEW]
        changed = [row for row in plan.rows if row.outcome == Outcome.UPDATED]
        steps = [(self.insert, self.insert_batches(new)), (self.update, _batches(changed))]
        if self.updates_first:
            steps.reverse()
        written = 0
        for write, batches in steps:
            for batch in batches:
                write(batch)
                written += len(batch)
                if progress:
                    progress(written)

    def insert_batches(self, rows: list[Row]) -> Iterable[list[Row]]:
        return _batches(rows)

    def insert(self, rows: list[Row]) -> list[int]:
        self.before_insert(rows)
        attnames = self.stored_attnames()
        values = [tuple(row.values[name] for name in attnames) for row in rows]
        ids = insert_rows(self.model, attnames, values)
        for pk, row in zip(ids, rows, strict=True):
            row.values["id"] = pk
        if _has_history(self.model):
            record_history(self.model, ids, "+", self.user, timezone.now())
        self.after_insert(rows)
        return ids

    def update(self, rows: list[Row]) -> None:
        records = self.model.objects.in_bulk([row.existing_id for row in rows])
        attnames = sorted({name for row in rows for name in self.given_attnames(row)})
        now = timezone.now()
        stamped = _field_names(self.model) & {"updated_at"}
        for row in rows:
            record = records[row.existing_id]
            for name in attnames:
                setattr(record, name, row.values[name])
            for name in stamped:
                setattr(record, name, now)
        self.model.objects.bulk_update(
            records.values(), [*attnames, *stamped], batch_size=UPDATE_BATCH_SIZE
        )
        if _has_history(self.model):
            record_history(self.model, list(records), "~", self.user, now)
        self.after_update(list(records.values()))

    def before_insert(self, rows: list[Row]) -> None:
        """Fill in what new records get on writing (codes, say)."""

    def after_insert(self, rows: list[Row]) -> None:
        """Work that saving each record would have done (row.values["id"] is set)."""

    def after_update(self, records: list) -> None:
        """Work that saving each changed record would have done."""


WRITTEN = (Outcome.NEW, Outcome.UPDATED)


def _batches(rows: list) -> list[list]:
    return [rows[start : start + BATCH_SIZE] for start in range(0, len(rows), BATCH_SIZE)]


def _comparable(value):
    return value.upper() if isinstance(value, str) else value


def _has_history(model) -> bool:
    return hasattr(model, "history")


def _field_names(model) -> set[str]:
    return {f.attname for f in model._meta.concrete_fields}


def headers_of(importer: type[RecordImport]) -> dict[str, str]:
    """{field: template header} of an importer: the column names of its export resource, so
    that an exported file imports back."""
    return {f.name: f.column.header for f in importer.fields}
