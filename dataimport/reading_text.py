"""Text spreadsheets (CSV, TSV): which encoding, which separator, and records with their quotes.

The file is read twice, both times as a stream: once to make sure it decodes completely in
the chosen encoding (so a bad byte on line 90,000 is reported before anything is imported),
then record by record for the rows.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import BinaryIO

import charset_normalizer

from dataimport.reading_common import FileProblem, Record, Tally

SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
CHUNK_BYTES = 1 << 20
SNIFF_LINES = 100
SNIFF_CHARS = 64 * 1024
SAMPLE_BYTES = 64 * 1024  # lines with non-ASCII bytes handed to the encoding detector
# A quoted value longer than this is taken for a quote that was never closed.
MAX_LINES_IN_VALUE = 100
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1 (ISO-8859-1)",
}
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
NON_ASCII_LINE = re.compile(rb"[^\n]*[\x80-\xff][^\n]*\n?")


@dataclass
class TextTable:
    encoding: str
    delimiter: str
    records: Iterator[Record]
    notes: list[str]


def read_text(stream: BinaryIO, head: bytes, *, encoding, delimiter, tally: Tally) -> TextTable:
    """Decode `stream` (positioned at its start) and split it into records."""
    encoding, encoding_note = choose_encoding(stream, head, encoding)
    stream.seek(0)
    text = io.TextIOWrapper(
        io.BufferedReader(_Borrowed(stream), CHUNK_BYTES), encoding=encoding, newline=""
    )
    head_lines = _head_lines(text)
    notes = [encoding_note] if encoding_note else []
    sniffed = sniff_delimiter(head_lines)
    if delimiter is None:
        delimiter = sniffed or ","
        if delimiter != ",":
            notes.append(f"Separator: {SEPARATORS[delimiter]}.")
    elif sniffed and sniffed != delimiter and _width(head_lines, delimiter) == 1:
        notes.append(
            f"With {SEPARATORS[delimiter]} as the separator every row is a "
            f"single column; the file looks separated by {SEPARATORS[sniffed]}s. Choose "
            "automatic detection or that separator."
        )
    records = csv_records(chain(head_lines, text), delimiter, tally)
    return TextTable(encoding=encoding, delimiter=delimiter, records=records, notes=notes)


def encoding_name(encoding: str) -> str:
    if encoding in ENCODING_NAMES:
        return ENCODING_NAMES[encoding]
    if re.fullmatch(r"cp125\d", encoding):
        return f"Windows-{encoding[2:]}"
    return encoding.upper()


# --- encodings -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecodeFailure:
    offset: int
    line: int
    byte: int

    def where(self) -> str:
        return f"byte 0x{self.byte:02X} at position {self.offset:,} (line {self.line:,})"


def choose_encoding(stream: BinaryIO, head: bytes, override: str | None) -> tuple[str, str | None]:
    """The encoding the whole file decodes in, and a note for the preview when it was guessed.

    A user's choice wins. Otherwise a byte order mark decides; then UTF-8 if every byte of
    the file is valid UTF-8; then Windows-1252 (which has the euro sign and the curly quotes
    that Latin-1 lacks) unless the detector finds another encoding more plausible.
    """
    if override:
        encoding = _known_encoding(override)
        if encoding == "utf-8" and head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        failure = first_decode_failure(stream, encoding)
        if failure:
            raise FileProblem(
                "encoding",
                f"The file cannot be read as {encoding_name(encoding)}, the encoding you chose: "
                f"{failure.where()} is not valid in it. Choose another encoding, or leave the "
                "encoding on automatic detection.",
            )
        return encoding, None
    if head.startswith(codecs.BOM_UTF8):
        return _checked(stream, "utf-8-sig"), None
    if head.startswith(UTF16_BOMS):
        return _checked(stream, "utf-16"), None
    utf16 = unmarked_utf16(head)
    if utf16:
        return _checked(stream, utf16), f"Decoded as {encoding_name(utf16)}."
    if first_decode_failure(stream, "utf-8") is None:
        return "utf-8", None
    for encoding in (_guess_encoding(stream), "cp1252", "latin-1"):
        if first_decode_failure(stream, encoding) is None:
            return encoding, (
                f"Decoded as {encoding_name(encoding)}: the file is not UTF-8. If letters "
                "look wrong in the preview, choose the file's encoding and upload it again."
            )
    raise AssertionError("latin-1 decodes any bytes")


def first_decode_failure(stream: BinaryIO, encoding: str) -> DecodeFailure | None:
    """Where `stream` stops decoding in `encoding`, reading it once in chunks.

    A NUL character means binary content, whatever the encoding: no spreadsheet has one.
    """
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    consumed = 0
    lines = 1
    while True:
        chunk = stream.read(CHUNK_BYTES)
        try:
            text = decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as error:
            offset = consumed - (len(error.object) - len(chunk)) + error.start
            before = error.object[: error.start].decode(encoding, errors="replace")
            return DecodeFailure(offset, lines + _line_breaks(before), error.object[error.start])
        if "\x00" in text:
            line = lines + _line_breaks(text[: text.index("\x00")])
            raise FileProblem(
                "not_text",
                f"The file is not a text spreadsheet: line {line:,} contains binary data. "
                "Upload a CSV file or an Excel workbook (.xlsx).",
            )
        if not chunk:
            return None
        consumed += len(chunk)
        lines += _line_breaks(text)


def _checked(stream: BinaryIO, encoding: str) -> str:
    failure = first_decode_failure(stream, encoding)
    if failure:
        raise FileProblem(
            "encoding",
            f"The file is marked as {encoding_name(encoding)}, but {failure.where()} is not "
            f"valid {encoding_name(encoding)}: parts of the file use another encoding. Open it "
            'in a spreadsheet program and save it again as "CSV UTF-8".',
        )
    return encoding


def _known_encoding(name: str) -> str:
    try:
        encoding = codecs.lookup(name).name
    except LookupError:
        raise FileProblem(
            "unknown_encoding",
            f'"{name}" is not an encoding this import knows. Choose one from the list, or leave '
            "the encoding on automatic detection.",
        ) from None
    return {"iso8859-1": "latin-1"}.get(encoding, encoding)


def unmarked_utf16(head: bytes) -> str | None:
    """UTF-16 without a byte order mark: mostly-ASCII text has a NUL in every other byte."""
    evens, odds = head[0::2], head[1::2]
    if len(odds) < 8:
        return None
    if odds.count(0) > 0.7 * len(odds) and evens.count(0) < 0.1 * len(evens):
        return "utf-16-le"
    if evens.count(0) > 0.7 * len(evens) and odds.count(0) < 0.1 * len(odds):
        return "utf-16-be"
    return None


def _guess_encoding(stream: BinaryIO) -> str:
    """Windows-1252 or Latin-1 when charset-normalizer finds either plausible; else its best
    guess if it recognised a language in it (guesses on a few bytes are noise); else
    Windows-1252."""
    sample = _non_ascii_sample(stream)
    for encoding in ("cp1252", "latin_1"):
        if charset_normalizer.from_bytes(sample, cp_isolation=[encoding]).best():
            return _known_encoding(encoding)
    best = charset_normalizer.from_bytes(sample).best()
    if best and best.coherence > 0:
        return _known_encoding(best.encoding)
    return "cp1252"


def _non_ascii_sample(stream: BinaryIO) -> bytes:
    """Lines that hold non-ASCII bytes, the only ones that tell encodings apart."""
    stream.seek(0)
    sample = bytearray()
    while len(sample) < SAMPLE_BYTES and (chunk := stream.read(CHUNK_BYTES)):
        for match in NON_ASCII_LINE.finditer(chunk):
            sample += match.group()
    return bytes(sample[:SAMPLE_BYTES])


def _line_breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


class _Borrowed(io.RawIOBase):
    """Reads a stream the caller owns: closing the text wrapper must leave the upload open."""

    def __init__(self, stream: BinaryIO):
        self._stream = stream

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# --- separators ----------------------------------------------------------------------------


def _head_lines(text: Iterator[str]) -> list[str]:
    lines, size = [], 0
    for line in islice(text, SNIFF_LINES):
        lines.append(line)
        size += len(line)
        if size > SNIFF_CHARS:
            break
    return lines


def sniff_delimiter(lines: list[str]) -> str | None:
    """The separator that splits the first lines into the most consistent columns.

    For each candidate the lines are parsed as CSV (so separators inside quotes do not
    count); the header must have at least two columns, and the winner is the candidate
    whose data rows most often have exactly as many values as the header (ties: more
    columns, then the order of SEPARATORS). csv.Sniffer guesses wrong too often on files
    with few rows or many quotes. None when no candidate makes two columns.
    """
    best_score, best = None, None
    for candidate in SEPARATORS:
        rows = _filled_rows(lines, candidate)
        if not rows or len(rows[0]) < 2:
            continue
        width, data = len(rows[0]), rows[1:]
        fitting = sum(_fits(row, width) for row in data)
        score = (fitting / len(data) if data else 1.0, width)
        if best_score is None or score > best_score:
            best_score, best = score, candidate
    return best


def _width(lines: list[str], delimiter: str) -> int:
    rows = _filled_rows(lines, delimiter)
    return len(rows[0]) if rows else 0


def _filled_rows(lines: list[str], delimiter: str) -> list[list[str]]:
    """The non-blank rows of `lines`, up to the first one the csv module cannot read."""
    rows = []
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        try:
            row = next(reader)
        except (StopIteration, csv.Error):
            return rows
        if _filled(row):
            rows.append(row)


def _fits(row: list[str], width: int) -> bool:
    return len(row) == width or (len(row) > width and not _filled(row[width:]))


def _filled(cells: list[str]) -> bool:
    return bool("".join(cells).strip())


# --- records -------------------------------------------------------------------------------


def csv_records(lines: Iterator[str], delimiter: str, tally: Tally) -> Iterator[Record]:
    """(line number, values, problem) for each record, numbered by the line it starts on.

    Python's csv module (strict) reads every well-formed record. A record it rejects, or
    whose quoted value runs over more than MAX_LINES_IN_VALUE lines, is read again by
    `_parse_leniently`: stray quotes inside a quoted value are kept as text, and a quote
    that never closes is closed at the end of its line, reported as a problem of that row,
    and the lines after it are read as records of their own instead of vanishing into it.
    """
    number = 1
    taken: list[str] = []
    reader = csv.reader(_remembered(lines, taken), delimiter=delimiter, strict=True)
    while True:
        taken.clear()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            cells = None
        if cells is not None and len(taken) <= MAX_LINES_IN_VALUE:
            yield number, cells, None
            number += len(taken)
            continue
        parsed = _parse_leniently(taken, lines, delimiter)
        problem = None
        if parsed.unclosed is not None:
            problem = _unclosed_problem(parsed, number)
            opened = parsed.unclosed.line
            lines = chain(taken[opened + 1 :], lines)
            del taken[opened + 1 :]
            parsed = _parse_leniently(taken, iter(()), delimiter, close_at_end=True)
        elif parsed.requoted:
            tally.requoted_rows.append(number)
        yield number, parsed.cells, problem
        number += len(taken)
        taken = []
        reader = csv.reader(_remembered(lines, taken), delimiter=delimiter, strict=True)


def _remembered(lines: Iterator[str], taken: list[str]) -> Iterator[str]:
    for line in lines:
        taken.append(line)
        yield line


@dataclass(frozen=True)
class OpenQuote:
    line: int  # index of the line, within the record, where the quote opened
    column: int  # 1-based
    reason: str  # "end" (of the file) or "long"


@dataclass(frozen=True)
class Lenient:
    cells: list[str]
    requoted: bool = False
    unclosed: OpenQuote | None = None


def _parse_leniently(
    lines: list[str], more: Iterator[str], delimiter: str, *, close_at_end: bool = False
) -> Lenient:
    """One record from `lines`, pulling lines from `more` into `lines` while a quote is open.

    Unlike the csv module, a quote inside a quoted value closes it only when a separator or
    the end of the line follows (spaces in between allowed); any other quote is text.
    """
    cells: list[str] = []
    value: list[str] = []
    quoted = requoted = False
    field_start = True
    opened = OpenQuote(0, 1, "end")
    index = 0
    chars = 0
    while True:
        if index == len(lines):
            line = next(more, None)
            if line is None:  # the file ends inside the quoted value
                if not close_at_end:
                    return Lenient(cells, requoted, opened)
                value[-1] = value[-1].rstrip("\r\n")  # the line break after the last line
                cells.append("".join(value))
                return Lenient(cells, requoted)
            lines.append(line)
        line = lines[index]
        body = line.rstrip("\r\n")
        chars += len(line)
        position = 0
        while position < len(body):
            char = body[position]
            position += 1
            if quoted:
                if char != '"':
                    value.append(char)
                elif body[position : position + 1] == '"':
                    value.append('"')
                    position += 1
                else:
                    after = position
                    while after < len(body) and body[after] == " ":
                        after += 1
                    if after == len(body) or body[after] == delimiter:
                        quoted = False
                        position = after
                    else:
                        value.append('"')
                        requoted = True
            elif char == delimiter:
                cells.append("".join(value))
                value = []
                field_start = True
            elif char == '"' and field_start:
                quoted = True
                field_start = False
                opened = OpenQuote(index, len(cells) + 1, "end")
            else:
                value.append(char)
                field_start = False
        index += 1
        if not quoted:
            cells.append("".join(value))
            return Lenient(cells, requoted)
        too_long = index - opened.line > MAX_LINES_IN_VALUE or chars > csv.field_size_limit()
        if too_long and not close_at_end:
            return Lenient(cells, requoted, OpenQuote(opened.line, opened.column, "long"))
        value.append(line[len(body) :])


def _unclosed_problem(parsed: Lenient, number: int) -> str:
    opened = parsed.unclosed
    row = number + opened.line
    if opened.reason == "end":
        what = "is never closed"
    else:
        what = f"is not closed within {MAX_LINES_IN_VALUE} lines"
    return (
        f'The quote (") that starts the value in column {opened.column} on row {row:,} {what}, '
        f"so it would have swallowed the rows after it. The value was read up to the end of "
        f"row {row:,}; add the missing closing quote and upload the file again."
    )
