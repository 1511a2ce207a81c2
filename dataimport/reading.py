"""Uploaded spreadsheets (CSV, TSV, XLSX) turned into a header and rows, or a clear message.

`read_table` decides what the file is from its content (never from its name alone), decodes
it, finds the separator, cleans the header and streams the rows as text. What it repaired
on the way is in `ParsedFile.notes`; what it could not repair in a row is in
`ParsedFile.row_problems`; a file that cannot be imported at all raises `FileProblem`.
docs/import-files.md describes the rules for the people who upload the files.
"""

import csv
import io
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import itemgetter
from pathlib import PurePath
from typing import BinaryIO, NamedTuple

from django.conf import settings
from openpyxl.utils import get_column_letter

from dataimport.reading_common import FileProblem, Record, Tally, counted
from dataimport.reading_text import SEPARATORS, UTF16_BOMS, read_text, unmarked_utf16
from dataimport.reading_xlsx import read_xlsx

__all__ = [
    "FileProblem",
    "HeaderMatch",
    "ParsedFile",
    "ReadOptions",
    "Row",
    "match_headers",
    "normalize_header",
    "read_table",
]

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 50 * MB
HEAD_BYTES = 8192
SPOOL_BYTES = 8 * MB
# Data rows read ahead of the first one returned: enough to tell whether a column without
# a header holds data, few enough to keep memory flat.
LOOKAHEAD_ROWS = 1000
XLSX_NAMES = (".xlsx", ".xlsm", ".xltx", ".xltm")
# Quotes around a whole header: straight, curly double, curly single and angle quotes.
QUOTE_PAIRS = {('"', '"'), ("'", "'"), ("\u201c", "\u201d"), ("\u2018", "\u2019"), ("«", "»")}


def _default_max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


@dataclass(frozen=True)
class ReadOptions:
    """What the user chose on the import page; None everywhere means "detect it"."""

    encoding: str | None = None  # e.g. "cp1252"; the user's choice wins over detection
    delimiter: str | None = None  # one of SEPARATORS
    max_bytes: int = field(default_factory=_default_max_bytes)
    sheet: str | None = None  # XLSX: default the first visible sheet with data
    kind: str | None = None  # "csv" (any delimited text) or "xlsx" when the user insists

    def __post_init__(self):
        if self.delimiter is not None and self.delimiter not in SEPARATORS:
            raise ValueError(f"delimiter must be one of {sorted(SEPARATORS)}")
        if self.kind not in (None, "csv", "xlsx"):
            raise ValueError('kind must be None, "csv" or "xlsx"')


@dataclass(slots=True)
class Row:
    number: int  # as the user sees it: the header is row 1 when it is on the first line
    values: dict[str, str]  # header -> text, one entry for every header
    problems: tuple[str, ...] = ()


@dataclass
class ParsedFile:
    """A readable file. `rows` is an iterator: read it once.

    `notes` and `row_problems` grow while `rows` is read and are complete at its end.
    Reading `rows` raises FileProblem only if a workbook turns out damaged half-way.
    """

    kind: str  # "csv", "tsv" or "xlsx"
    encoding: str | None  # csv/tsv: the codec used, e.g. "utf-8-sig", "utf-16", "cp1252"
    delimiter: str | None
    headers: list[str]
    rows: Iterator[Row]
    notes: list[str]
    row_problems: list[tuple[int, str]] = field(default_factory=list)
    sheet: str | None = None
    header_row: int = 1


def read_table(
    data: bytes | BinaryIO, *, filename: str, options: ReadOptions | None = None
) -> ParsedFile:
    """Read an uploaded file (bytes, or a binary file object read from its start)."""
    options = options or ReadOptions()
    stream = _seekable(data, options.max_bytes, filename)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    if not head:
        raise FileProblem("empty", f'"{filename}" is empty. Check that you chose the right file.')
    tally = Tally()
    if _kind_of(stream, head, filename) == "xlsx":
        parsed, records = _open_workbook(stream, filename, options)
    else:
        parsed, records = _open_text(stream, head, filename, options, tally)
    _Table(parsed, records, tally).start()
    return parsed


def _open_workbook(stream, filename: str, options: ReadOptions):
    if options.kind == "csv":
        raise FileProblem(
            "xlsx_not_csv",
            f"This file is an Excel workbook (XLSX) although {_its_name(filename)}. Upload it "
            'with the file type on automatic, or open it in Excel and save it as "CSV UTF-8" '
            "before uploading.",
        )
    notes = []
    if not filename.lower().endswith(XLSX_NAMES):
        notes.append(
            f"This file is an Excel workbook (XLSX) although {_its_name(filename)}; it was read "
            "as a workbook."
        )
    sheet = read_xlsx(stream, sheet=options.sheet)
    parsed = ParsedFile("xlsx", None, None, [], iter(()), notes + sheet.notes, sheet=sheet.name)
    return parsed, sheet.records


def _open_text(stream, head: bytes, filename: str, options: ReadOptions, tally: Tally):
    if options.kind == "xlsx":
        raise FileProblem(
            "csv_not_xlsx",
            "This file is a text (CSV) file, not an Excel workbook. Upload it with the file type "
            "on automatic or CSV.",
        )
    notes = []
    if filename.lower().endswith((*XLSX_NAMES, ".xls")):
        notes.append(
            f"This file is a text (CSV) file although {_its_name(filename)}; it was read as text."
        )
    text = read_text(
        stream, head, encoding=options.encoding, delimiter=options.delimiter, tally=tally
    )
    kind = "tsv" if text.delimiter == "\t" else "csv"
    parsed = ParsedFile(kind, text.encoding, text.delimiter, [], iter(()), notes + text.notes)
    return parsed, text.records


# --- what the file is ----------------------------------------------------------------------


def _seekable(data, max_bytes: int, filename: str) -> BinaryIO:
    """A seekable binary stream at position 0, refusing files over `max_bytes` unread."""
    if isinstance(data, bytes | bytearray | memoryview):
        _check_size(len(data), max_bytes, filename)
        return io.BytesIO(data)
    size = getattr(data, "size", None)
    if isinstance(size, int):
        _check_size(size, max_bytes, filename)
    seekable = getattr(data, "seekable", None)
    if hasattr(data, "seek") and (seekable is None or seekable()):
        data.seek(0, io.SEEK_END)
        _check_size(data.tell(), max_bytes, filename)
        data.seek(0)
        return data
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (returned)
    while chunk := data.read(MB):
        spool.write(chunk)
        _check_size(spool.tell(), max_bytes, filename)
    spool.seek(0)
    return spool


def _check_size(size: int, max_bytes: int, filename: str):
    if size > max_bytes:
        raise FileProblem(
            "too_large",
            f'"{filename}" is {_megabytes(size)} MB; the largest file that can be imported is '
            f"{_megabytes(max_bytes)} MB. Split it into smaller files (for example by country "
            "or by year) and import them one after another.",
        )


def _megabytes(size: int) -> str:
    return f"{size / MB:,.1f}".removesuffix(".0")


def _its_name(filename: str) -> str:
    suffix = PurePath(filename).suffix
    return f"its name ends in {suffix}" if suffix else "its name has no extension"


ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
BINARY_KINDS = [
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "a Word (RTF) document"),
]


def _kind_of(stream: BinaryIO, head: bytes, filename: str) -> str:
    """What the first bytes say the file is: an XLSX workbook or text. Anything else, such as
    an old .xls workbook, a PDF or an image, raises FileProblem."""
    if head.startswith(ZIP_MAGIC):
        return _zip_kind(stream, filename)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(
            "old_excel",
            f'"{filename}" is an old-style Excel workbook (.xls) or a password-protected one, '
            'which cannot be read. Open it in Excel, remove any password and save it as "Excel '
            'Workbook (.xlsx)" or "CSV UTF-8", then upload that file.',
        )
    for magic, what in BINARY_KINDS:
        if head.startswith(magic):
            raise FileProblem(
                "not_text",
                f'"{filename}" is {what}, not a spreadsheet. Export the data as CSV or as an '
                "Excel workbook (.xlsx) and upload that file.",
            )
    if head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html", b"<table")):
        raise FileProblem(
            "not_text",
            f'"{filename}" is a web page (HTML), not a spreadsheet, whatever its name says. Open '
            'it in Excel and save it as "Excel Workbook (.xlsx)" or "CSV UTF-8".',
        )
    if b"\x00" in head and not head.startswith(UTF16_BOMS) and not unmarked_utf16(head):
        raise FileProblem(
            "not_text",
            f'"{filename}" is not a text spreadsheet (it contains binary data). Upload a '
            "CSV file or an Excel workbook (.xlsx).",
        )
    return "text"


def _zip_kind(stream: BinaryIO, filename: str) -> str:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError):
        raise FileProblem(
            "damaged_xlsx",
            f'"{filename}" looks like an Excel workbook or a ZIP archive but cannot be opened: '
            "it is damaged or incomplete (perhaps the upload was interrupted). Save it again "
            "and upload it.",
        ) from None
    finally:
        stream.seek(0)
    if "xl/workbook.bin" in names:
        raise FileProblem(
            "xlsb",
            f'"{filename}" is an Excel binary workbook (.xlsb). Open it in Excel and save it as '
            '"Excel Workbook (.xlsx)", then upload that file.',
        )
    if any(name.startswith("xl/") for name in names):
        return "xlsx"
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise FileProblem(
            "ods",
            f'"{filename}" is an OpenDocument spreadsheet (.ods). Open it in LibreOffice or '
            'Excel and save it as "Excel Workbook (.xlsx)" or CSV, then upload that file.',
        )
    raise FileProblem(
        "not_text",
        f'"{filename}" is a ZIP archive, not a spreadsheet. If the spreadsheet is inside it, '
        "unpack it and upload that file.",
    )


# --- header and rows -----------------------------------------------------------------------


class _Table:
    """Applies the header to the records: names columns, checks rows, streams Row objects."""

    def __init__(self, parsed: ParsedFile, records: Iterator[Record], tally: Tally):
        self.parsed = parsed
        self.records = records
        self.tally = tally
        self.is_csv = parsed.kind != "xlsx"
        # the separators to try on a CSV row that has none of the file's separator
        self.resplit = [s for s in SEPARATORS if s != parsed.delimiter] if self.is_csv else []

    def column(self, index: int) -> str:
        return str(index + 1) if self.is_csv else get_column_letter(index + 1)

    def start(self):
        """Read the header and the look-ahead rows; raise FileProblem for an unusable file."""
        header = self._header_record()
        self.parsed.header_row = header[0]
        if header[0] > 1:
            self.parsed.notes.append(
                f"The header is on row {header[0]}; the empty rows above it were skipped."
            )
        self.records = self._skipping_blank_rows(self.records)
        lookahead = list(islice(self.records, LOOKAHEAD_ROWS))
        if not lookahead:
            raise FileProblem(
                "no_data_rows",
                "The file has a header row but no data rows. Check that you exported the "
                "records and not only the column titles.",
            )
        names = self._column_names(header[1], lookahead)
        if not any(names):
            raise FileProblem(
                "no_headers",
                f"Row {header[0]}, the first row that is not empty, has no column names. Put "
                "the column headers in the first row and upload the file again.",
            )
        self._reject_duplicates(names)
        self.positions = [i for i, name in enumerate(names) if name]
        self.headers = [names[i] for i in self.positions]
        self.width = len(names)
        self.unnamed = [i for i, name in enumerate(names) if not name]
        self.parsed.headers = self.headers
        self.parsed.rows = self._rows(chain(lookahead, self.records))

    def _header_record(self) -> Record:
        for record in self.records:
            if _blank(record[1]):
                continue
            if record[2]:
                raise FileProblem(
                    "header_quote",
                    'The header row has a quote (") that is never closed. Correct the header '
                    "row and upload the file again.",
                )
            return record
        raise FileProblem(
            "empty",
            "The file contains no data, only empty rows. Check that you chose the right file.",
        )

    def _skipping_blank_rows(self, records: Iterator[Record]) -> Iterator[Record]:
        """The records with values; blank ones are counted unless they only trail the data."""
        blank = 0
        for record in records:
            if not "".join(record[1]).strip():  # _blank(), inlined on the path every row takes
                blank += 1
                continue
            self.tally.blank_rows += blank
            blank = 0
            yield record

    def _column_names(self, cells: list[str], lookahead: list[Record]) -> list[str]:
        """Cleaned header cells; an empty one is named after its column if the column has data.

        A column without header or data is dropped: quietly at the end of the header, with a
        note in the middle, where it is a spacer someone may want to know about.
        """
        names = [_clean_header(cell) for cell in cells]
        if not self.is_csv:  # a sheet's header row ends at its last filled cell
            names += [""] * (max(len(r[1]) for r in lookahead) - len(names))
        for index, name in enumerate(names):
            if not name and any(index < len(r[1]) and r[1][index].strip() for r in lookahead):
                names[index] = f"Column {self.column(index)}"
        last = max((i for i, name in enumerate(names) if name), default=0)
        dropped = [self.column(i) for i, name in enumerate(names[:last]) if not name]
        if len(dropped) == 1:
            self.parsed.notes.append(
                f"Column {dropped[0]} has neither a header nor values; ignored."
            )
        elif dropped:
            self.parsed.notes.append(
                f"Columns {', '.join(dropped[:-1])} and {dropped[-1]} have neither a header nor "
                "values; ignored."
            )
        return names

    def _reject_duplicates(self, names: list[str]):
        seen: dict[str, list[int]] = {}
        for index, name in enumerate(names):
            if name:
                seen.setdefault(name.casefold(), []).append(index)
        for positions in seen.values():
            if len(positions) > 1:
                columns = [self.column(i) for i in positions]
                listed = f"{', '.join(columns[:-1])} and {columns[-1]}"
                name = names[positions[0]]
                raise FileProblem(
                    "duplicate_headers",
                    f"Columns {listed} {'both' if len(columns) == 2 else 'all'} have the header "
                    f'"{name}". Rename one of them (for '
                    f'example to "{name} 2") so it is clear which is which, then upload the '
                    "file again.",
                )

    def _resplit(self, record: Record) -> Record:
        """A CSV row without any separator: read it with another separator that fits the
        header, or report it (usually the rest of a value broken by an unquoted line break)."""
        number, cells, problem = record
        if not self.is_csv or len(cells) != 1 or self.width < 2 or problem:
            return record
        for other in self.resplit:
            try:
                parts = next(csv.reader([cells[0]], delimiter=other), [])
            except csv.Error:  # a line break inside: a quoted value, not a row of values
                continue
            if len(parts) == self.width:
                self.tally.resplit_rows.setdefault(other, []).append(number)
                return number, parts, None
        problem = (
            f'Row {number:,} has a single value and no separators ("{_shorten(cells[0])}"). '
            "If it is the rest of the value above it, put that value in quotes; otherwise add "
            "the missing separators."
        )
        return number, cells, problem

    def _rows(self, records: Iterable[Record]) -> Iterator[Row]:
        headers, width = self.headers, self.width
        simple = not self.unnamed
        for number, cells, problem in records:
            if len(cells) == width and simple and not problem:
                yield Row(number, dict(zip(headers, cells, strict=True)))
                continue
            number, cells, problem = self._resplit((number, cells, problem))
            problems = [problem] if problem else []
            problems += self._stray_values(number, cells)
            if len(cells) < width:
                if self.is_csv and not problems and len(cells) <= self.positions[-1]:
                    self.tally.padded_rows.append(number)
                cells = cells + [""] * (width - len(cells))
            values = dict(zip(headers, self._pick(cells), strict=True))
            for message in problems:
                self.parsed.row_problems.append((number, message))
            yield Row(number, values, tuple(problems))
        self.parsed.notes += self.tally.notes(SEPARATORS, self.parsed.delimiter)

    def _pick(self, cells: list[str]) -> tuple[str, ...]:
        if not self.unnamed:
            return tuple(cells[: self.width])
        if len(self.positions) == 1:
            return (cells[self.positions[0]],)
        return itemgetter(*self.positions)(cells)

    def _stray_values(self, number: int, cells: list[str]) -> list[str]:
        """Values in columns without a header: beyond the last column, or in a dropped one."""
        problems = []
        stray = [i for i in self.unnamed if i < len(cells) and cells[i].strip()]
        extra = [i for i in range(self.width, len(cells)) if cells[i].strip()]
        if extra and self.is_csv:
            problems.append(
                f"Row {number:,} has {counted(len(extra), 'value')} more than there are columns "
                f'(the first is "{_shorten(cells[extra[0]])}", in column {self.column(extra[0])}). '
                "A separator inside a value is probably missing its quotes; correct the row and "
                "upload the file again."
            )
        else:
            stray += extra
        if len(stray) == 1:
            problems.append(
                f"Row {number:,} has a value in column {self.column(stray[0])} "
                f'("{_shorten(cells[stray[0]])}"), which has no header; it was not read. Give '
                "the column a header and upload the file again, or clear the cell."
            )
        elif stray:
            problems.append(
                f"Row {number:,} has values in columns {', '.join(map(self.column, stray))}, "
                "which have no header; they were not read. Give the columns a header and upload "
                "the file again, or clear the cells."
            )
        return problems


def _blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean_header(text: str) -> str:
    text = " ".join(text.replace("\ufeff", "").split())
    while len(text) >= 2 and (text[0], text[-1]) in QUOTE_PAIRS:
        text = text[1:-1].strip()
    return text


# --- matching headers to fields ------------------------------------------------------------


class HeaderMatch(NamedTuple):
    mapping: dict[str, str]  # field -> the header that holds it
    unknown_headers: list[str]  # headers no field claims, in file order
    missing_required: list[str]  # required fields no header gives
    ignored_headers: list[str] = []  # headers the user chose not to import


def normalize_header(text: str) -> str:
    """Case-, space-, accent- and punctuation-blind form of a header or an alias.

    "Customer Name", "customer_name" and " CUSTOMER-NAME " all give "customername";
    "Código Postal" gives "codigopostal".
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalnum())


def match_headers(
    headers: Iterable[str],
    fields: dict[str, list[str]],
    *,
    required: Iterable[str] = (),
    chosen: dict[str, str] | None = None,
) -> HeaderMatch:
    """Which header gives which field: a field matches its own name or any of its aliases,
    or the field the user chose for the header (`chosen`: header -> field, "" to ignore it).

    Two headers that both match one field make the file ambiguous (FileProblem): the
    importer cannot know which one is right.
    """
    field_of: dict[str, str] = {}
    for name, aliases in fields.items():
        for alias in [name, *aliases]:
            key = normalize_header(alias)
            if field_of.setdefault(key, name) != name:
                raise ValueError(f"Alias {alias!r} is given to both {field_of[key]} and {name}")
    chosen = chosen or {}
    mapping: dict[str, str] = {}
    unknown, ignored = [], []
    for header in headers:
        name = chosen[header] if header in chosen else field_of.get(normalize_header(header))
        if header in chosen and not name:
            ignored.append(header)
        elif name is None:
            unknown.append(header)
        elif name in mapping:
            raise FileProblem(
                "ambiguous_headers",
                f'The columns "{mapping[name]}" and "{header}" both mean {name}. Remove or '
                "rename one of them and upload the file again.",
            )
        else:
            mapping[name] = header
    missing = [name for name in required if name not in mapping]
    return HeaderMatch(mapping, unknown, missing, ignored)
