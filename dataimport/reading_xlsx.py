"""Excel workbooks (XLSX): one sheet as records of text, the way Excel shows the cells."""

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import chain
from typing import BinaryIO
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from dataimport.reading_common import FileProblem, Record

ZERO_PADDED = re.compile(r"0+")  # number formats such as "00000" for postal codes


@dataclass
class Sheet:
    name: str
    records: Iterator[Record]
    notes: list[str]


def read_xlsx(stream: BinaryIO, *, sheet: str | None) -> Sheet:
    """The chosen sheet (default: the first visible one with data), streamed in read-only mode.

    Formulas give the value Excel saved with the file. Hidden sheets are only read when
    chosen by name.
    """
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ParseError, ValueError):
        raise FileProblem("damaged_xlsx", DAMAGED) from None
    names = workbook.sheetnames
    if sheet is not None:
        found = _find_sheet(workbook, sheet)
        records = _records(found)
    else:
        found, records = _first_sheet_with_data(workbook)
    notes = []
    if len(names) > 1:
        notes.append(
            f"The workbook has {len(names)} sheets ({', '.join(names)}); read "
            f'"{found.title}". Choose another sheet in the options if needed.'
        )
    return Sheet(name=found.title, records=_closing(records, workbook), notes=notes)


DAMAGED = (
    "The file looks like an Excel workbook but cannot be opened: it is damaged or incomplete "
    "(perhaps the upload was interrupted). Open it in Excel, save it again and upload it."
)


def _find_sheet(workbook, name: str):
    worksheets = {ws.title: ws for ws in workbook.worksheets}
    by_case = {title.casefold(): ws for title, ws in worksheets.items()}
    found = worksheets.get(name) or by_case.get(name.strip().casefold())
    if found is None:
        raise FileProblem(
            "no_sheet",
            f'The workbook has no sheet named "{name}". Its sheets are: '
            f"{', '.join(workbook.sheetnames)}.",
        )
    return found


def _first_sheet_with_data(workbook):
    visible = [ws for ws in workbook.worksheets if ws.sheet_state == "visible"]
    for worksheet in visible:
        records = _records(worksheet)
        for record in records:
            if any(record[1]):
                return worksheet, chain([record], records)
    raise FileProblem(
        "empty",
        "The workbook has no data: all its sheets are empty. Check that you chose the right file.",
    )


def _records(worksheet) -> Iterator[Record]:
    worksheet.reset_dimensions()  # some programs write a wrong size; read every row there is
    try:
        for number, cells in enumerate(worksheet.iter_rows(), start=1):
            yield number, [cell_text(cell) for cell in cells], None
    except (zipfile.BadZipFile, OSError, EOFError, ParseError, ValueError):
        raise FileProblem("damaged_xlsx", DAMAGED) from None


def _closing(records: Iterator[Record], workbook) -> Iterator[Record]:
    try:
        yield from records
    finally:
        workbook.close()


def cell_text(cell) -> str:
    """A cell's value as the text a user sees in Excel.

    Whole numbers without ".0", other numbers with Excel's 15 significant digits and never
    in exponent form, dates as yyyy-mm-dd (with the time when there is one), TRUE/FALSE,
    and numbers shown zero-padded by a "00000" format (postal codes) with their zeros.
    """
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M" if value.second == 0 else "%Y-%m-%d %H:%M:%S")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M" if value.second == 0 else "%H:%M:%S")
    if isinstance(value, timedelta):
        return str(value)
    text = str(value) if isinstance(value, int) else format(Decimal(format(value, ".15g")), "f")
    if value >= 0 and "." not in text:
        number_format = cell.number_format
        if ZERO_PADDED.fullmatch(number_format):
            text = text.zfill(len(number_format))
    return text
