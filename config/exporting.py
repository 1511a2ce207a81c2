"""Lists downloaded as spreadsheets: a streamed CSV or an XLSX workbook from headers and rows.

Every cell goes through one rule so that no downloaded file can run code when it is opened
(CSV or formula injection), without spoiling real values:

- Numbers, dates and yes/no given as such (Decimal, int, date, bool) are written as values:
  numbers and dates in XLSX, plain figures ("-12.50", "2026-12-04") in CSV.
- Text that a spreadsheet would read as a formula (it starts with =, +, -, @, a tab or a
  carriage return, also after leading spaces, or with the full-width =, +, - or @, or is a
  DDE call) is neutralised, unless it is only a number or a phone number ("-12.50",
  "+49 30 901820"): digits, spaces and ( ) . / - with an optional sign cannot call a
  function or another program.
- CSV: neutralised text gets a leading apostrophe ("'=1+2"), which Excel and LibreOffice show
  as text. XLSX: every text is a string cell (never a formula, whatever it starts with), and
  neutralised text is also marked "quote prefix" so that editing the cell keeps it text.
"""

import csv
import re
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

from django.http import FileResponse, StreamingHttpResponse
from django.urls import register_converter
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
CSV_BATCH = 500  # rows per chunk of the streamed response

FORMULA_STARTS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")
CONTROL_STARTS = frozenset("\t\r")
DDE = re.compile(r"\s*dde\s*\(", re.IGNORECASE)
PLAIN_FIGURES = re.compile(r"[+-]?[\d\s().,/-]*\d[\d\s().,/-]*")
EXCEL_TEXT_LIMIT = 32767
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could run `text` as a formula (numbers and phones excepted)."""
    if len(text) < 2:
        return False  # a lone "-" or "=" is shown as it is
    if text[0] in CONTROL_STARTS:
        return True
    stripped = text.lstrip()
    if stripped[:1] in FORMULA_STARTS:
        return not PLAIN_FIGURES.fullmatch(stripped)
    return bool(DDE.match(text))


def neutralise(value) -> str:
    """A value as a CSV cell: figures and dates plainly, formula-like text with an "'"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return _naive(value).isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if is_formula_like(text) else text


def export_filename(name: str, file_format: str, day: date | None = None) -> str:
    """ "customers-2026-12-04.csv": what, the day it was downloaded, the format."""
    return f"{name}-{(day or timezone.localdate()):%Y-%m-%d}.{file_format}"


def export_response(
    file_format: str, *, filename: str, headers: Sequence[str], rows: Iterable[Sequence]
):
    """The download of `rows` (an iterator, read once) as CSV (streamed) or XLSX."""
    if file_format == CSV:
        return csv_response(filename=filename, headers=headers, rows=rows)
    if file_format == XLSX:
        return xlsx_response(filename=filename, headers=headers, rows=rows)
    raise ValueError(f"No export as {file_format!r}; use one of {FORMATS}.")


# --- CSV ------------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() gives back the line, for streaming a CSV."""

    def write(self, value):
        return value


def csv_lines(headers: Sequence[str], rows: Iterable[Sequence]) -> Iterable[str]:
    """The CSV text in chunks of CSV_BATCH rows; nothing is held beyond one chunk."""
    writer = csv.writer(_Echo())
    yield writer.writerow([neutralise(header) for header in headers])
    rows = iter(rows)
    while batch := list(islice(rows, CSV_BATCH)):
        yield "".join(writer.writerow([neutralise(value) for value in row]) for row in batch)


def csv_response(*, filename: str, headers: Sequence[str], rows: Iterable[Sequence]):
    return StreamingHttpResponse(
        csv_lines(headers, rows), content_type=CSV_TYPE, headers=_attachment(filename)
    )


# --- XLSX -----------------------------------------------------------------------------------


def write_workbook(file, headers: Sequence[str], rows: Iterable[Sequence], *, title="Export"):
    """Write one sheet of `rows` under a bold header row into `file` (openpyxl write-only:
    rows go to a temporary file as they come, so memory stays flat)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(len(header) + 4, 40))
    bold = Font(bold=True)
    sheet.append([_xlsx_cell(sheet, header, font=bold) for header in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    workbook.save(file)


def xlsx_response(*, filename: str, headers: Sequence[str], rows: Iterable[Sequence]):
    file = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it, which deletes it)
    write_workbook(file, headers, rows)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def _xlsx_cell(sheet, value, *, font=None) -> WriteOnlyCell:
    if isinstance(value, datetime):
        value = _naive(value)
    elif isinstance(value, str | bool | int | Decimal | date) or value is None:
        pass
    else:
        value = str(value)
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)[:EXCEL_TEXT_LIMIT] or None  # "": no cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula or an error code, whatever the text
        if is_formula_like(value):
            cell.quotePrefix = True
    elif isinstance(value, Decimal):
        cell.number_format = MONEY_FORMAT if value.as_tuple().exponent == -2 else "General"
    elif isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    if font is not None:
        cell.font = font
    return cell


def _naive(moment: datetime) -> datetime:
    """Spreadsheets know no time zones: the local time, as the pages show it."""
    return timezone.localtime(moment).replace(tzinfo=None) if timezone.is_aware(moment) else moment


def _attachment(filename: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


class FormatConverter:
    """`<export_format:file_format>` in a URL: "csv" or "xlsx"."""

    regex = "csv|xlsx"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "export_format")
