"""What every batched import shares: modes, row problems, and parsing cells a clerk typed.

The importers themselves live with their models (`crm/importing.py`, ...); the import page
(`dataimport`) reads files into rows and hands them over. Cells arrive as text.
"""

import functools
import gc
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Protocol


class Mode(StrEnum):
    INSERT = "insert", "Insert new records only"
    UPDATE = "update", "Update existing records only"
    UPSERT = "upsert", "Insert new and update existing"

    def __new__(cls, value, label):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


class Outcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    INVALID = "invalid"


@dataclass(frozen=True)
class Problem:
    """What is wrong with one cell (or, without a column, with the whole row)."""

    row: int  # the row's number in the file, as the user sees it (the header is row 1)
    column: str  # the header as it is in the file
    value: str
    message: str

    def __str__(self):
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        shown = f" {self.value!r}:" if self.value else ":"
        return f"{where}{shown} {self.message}"


@dataclass(frozen=True)
class Column:
    """A field an import understands, the header of its template and the headers it also
    accepts (matched case-, space- and punctuation-insensitively)."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    help: str = ""


@dataclass
class Counts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    invalid: int = 0

    def add(self, outcome: Outcome):
        setattr(self, outcome.value, getattr(self, outcome.value) + 1)

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged + self.invalid


@dataclass
class Plan:
    """The outcome of every row, before anything is written (the dry run's result).

    Importers fill `rows` with the rows they will write, each with an `outcome` and a `key`
    (the code or name the import page lists and links for new records).
    """

    counts: Counts = field(default_factory=Counts)
    problems: list[Problem] = field(default_factory=list)
    rows: list = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.problems

    def new_keys(self, limit: int) -> list[str]:
        return [row.key for row in self.rows if row.outcome == Outcome.NEW][:limit]


def problems_found_again(plan: Plan) -> str:
    """Why an import stopped: its rows, checked again as they were written, had a problem the
    preview did not (the data changed meanwhile)."""
    return (
        f"The file has a problem when checked again (the data may have changed since the "
        f"preview): {plan.problems[0]} Upload it again to see every problem."
    )


class Importer(Protocol):
    """What the import page needs of an importer (see dataimport.targets). One may also offer
    `plan_and_write(rows, *, progress=None) -> Plan`, checking and writing in one pass (see
    crm.importing.CustomerImport); the page's import then uses it."""

    def plan(self, rows: Iterable[tuple[int, dict[str, str]]]) -> Plan:
        """Judge (row number, {field: cell text}) pairs; write nothing."""

    def write(self, plan: Plan, *, progress: Callable[[int], None] | None = None) -> None:
        """Write a valid plan in the caller's transaction, telling `progress` how many of
        its rows are written after each batch."""


def without_collector_pauses(method):
    """Run `method` with Python's cycle collector off, for work that keeps hundreds of
    thousands of small objects alive (the rows of a file and their plan): each collection
    walks all of them again, and those pauses cost an import of 100,000 customers a fifth of
    its time. Nothing an import builds needs the collector; what it frees, reference counting
    frees, and the collector runs again afterwards as usual."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return method(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return wrapper


def parsed_beside(rows: list, parse_batch: Callable[[list], object], size: int) -> Iterator:
    """`parse_batch` of each batch of `size` rows, in order; worked out in a second process
    while the caller deals with the batch before, when there is more than one batch.

    Checking the cells of a row is Python's work, and writing it is mostly the database's:
    beside each other on two cores they take little more than the writing alone, where two
    threads would take turns on the interpreter's lock. The second process is a fork: it
    has the rows and the importer's lookups without copying them, must not (and does not)
    touch the database, and sends each batch's result back through a pipe, one batch ahead
    at most. It starts at once, so the caller may prepare meanwhile. Close the iterator when
    done with it (it is also a context manager): that stops the process.
    """
    starts = range(0, len(rows), size)
    if len(starts) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return _BatchesHere(parse_batch(rows[start : start + size]) for start in starts)
    return _BatchesBeside(rows, parse_batch, size, len(starts))


class _BatchesHere:
    def __init__(self, results):
        self.results = results

    def __iter__(self):
        return self

    def __next__(self):
        return next(self.results)

    def close(self):
        self.results.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class _BatchesBeside(_BatchesHere):
    def __init__(self, rows, parse_batch, size, count):
        context = multiprocessing.get_context("fork")
        self.receiving, sending = context.Pipe(duplex=False)
        self.worker = context.Process(
            target=_parse_batches, args=(rows, parse_batch, size, sending), daemon=True
        )
        self.worker.start()
        sending.close()
        super().__init__(_received(self.receiving) for _ in range(count))

    def close(self):
        super().close()
        self.receiving.close()
        self.worker.terminate()
        self.worker.join()


PARSE_TIMEOUT = 300  # seconds one batch may take before the import gives up on it


@dataclass
class _ParseFailed:
    message: str


def _parse_batches(rows, parse_batch, size, sending):
    try:
        for start in range(0, len(rows), size):
            sending.send(parse_batch(rows[start : start + size]))
    except BaseException as error:  # reported to the importing process
        sending.send(_ParseFailed(f"{error.__class__.__name__}: {error}"))
    finally:
        sending.close()


def _received(receiving):
    if not receiving.poll(PARSE_TIMEOUT):
        raise RuntimeError("Checking the rows took too long; the import stopped.")
    try:
        outcome = receiving.recv()
    except EOFError:
        raise RuntimeError("Checking the rows stopped unexpectedly; the import stopped.") from None
    if isinstance(outcome, _ParseFailed):
        raise RuntimeError(f"Checking the rows failed ({outcome.message}); the import stopped.")
    return outcome


# --- cells --------------------------------------------------------------------------------

TRUE_WORDS = {"1", "y", "yes", "true", "t", "x", "on", "ja", "oui", "si", "sí"}
FALSE_WORDS = {"", "0", "n", "no", "false", "f", "off", "nein", "non"}
EMPTY_MARKERS = {"null", "none", "n/a", "na", "-", "--"}


# What an export puts before text a spreadsheet would run as a formula (config.exporting).
FORMULA_GUARD = "'"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


GUARDED_STARTS = tuple(FORMULA_GUARD + start for start in FORMULA_STARTS)


def clean(text) -> str:
    """The cell without its padding, and without the apostrophe an export put before text
    that starts like a formula; text is otherwise kept as it is."""
    text = "" if text is None else str(text).strip()
    return text[1:] if text.startswith(GUARDED_STARTS) else text


def blank(text) -> str:
    """For a cell holding a number, a choice or a name to look up: the markers spreadsheets
    use for "nothing" ("NULL", "n/a", "-") count as empty. Free text keeps them verbatim."""
    return unmarked(clean(text))


def unmarked(cleaned: str) -> str:
    """`blank` for a cell already `clean`ed."""
    return "" if cleaned.lower() in EMPTY_MARKERS else cleaned


def parse_bool(text) -> bool:
    word = blank(text).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError("use yes or no")


def parse_decimal(text, *, places=2, minimum=None) -> Decimal | None:
    """A number as a clerk types it: "1,234.50", "1234,50", "1 234.5"; "" is None."""
    text = blank(text).replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if "," in text and "." in text:  # the last separator is the decimal one
        thousands = "," if text.rfind(".") > text.rfind(",") else "."
        text = text.replace(thousands, "")
    text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("not a number") from None
    if not number.is_finite():
        raise ValueError("not a number")
    if number != round(number, places):
        raise ValueError(f"use at most {places} decimal places")
    if minimum is not None and number < minimum:
        raise ValueError(f"must be at least {minimum}")
    return number


def duplicates(keys: Iterable[tuple[str, int]]) -> dict[int, int]:
    """For (key, row) pairs: each row whose key an earlier row already had -> that row."""
    first_row = {}
    repeats = {}
    for key, row in keys:
        if not key:
            continue
        if key in first_row:
            repeats[row] = first_row[key]
        else:
            first_row[key] = row
    return repeats
