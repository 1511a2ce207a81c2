"""Excel workbooks: cells as the text a user sees, and which sheet is read."""

import io
import zipfile
from datetime import date, datetime, time

import openpyxl
import pytest

from dataimport.reading import LOOKAHEAD_ROWS, Row
from tests.dataimport.test_reading import problem, read, rows_of


def workbook(sheets: dict[str, list[list]], *, hidden=(), formats=None) -> bytes:
    """An XLSX file with the given sheets; `formats` maps (sheet, cell) to a number format."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        if title in hidden:
            sheet.sheet_state = "hidden"
    for (title, cell), number_format in (formats or {}).items():
        book[title][cell].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_first_sheet(content: bytes, change) -> bytes:
    """The workbook with the XML of its first sheet passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(item, data)
    return buffer.getvalue()


def with_cached_results(content: bytes, results: dict[str, str]) -> bytes:
    """Store the value Excel would have saved next to each formula (openpyxl saves none)."""

    def cache(xml: bytes) -> bytes:
        for formula, result in results.items():
            xml = xml.replace(
                f"<f>{formula}</f><v />".encode(), f"<f>{formula}</f><v>{result}</v>".encode()
            )
        return xml

    return with_first_sheet(content, cache)


def test_a_workbook_whose_sheet_is_damaged_is_reported_not_crashed_on():
    content = with_first_sheet(workbook({"S": [["Name"], ["Acme"]]}), lambda xml: xml[:-100])

    assert problem(content, "c.xlsx").code == "damaged_xlsx"


def test_a_sheet_reads_as_header_and_rows_numbered_like_excel():
    parsed = read(workbook({"Customers": [["Name", "City"], ["Acme", "Berlin"]]}), "c.xlsx")

    assert (parsed.kind, parsed.encoding, parsed.delimiter) == ("xlsx", None, None)
    assert parsed.sheet == "Customers"
    assert parsed.headers == ["Name", "City"]
    assert list(parsed.rows) == [Row(2, {"Name": "Acme", "City": "Berlin"})]
    assert parsed.notes == []


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (42, "42"),
        (42.0, "42"),
        (-7, "-7"),
        (3.5, "3.5"),
        (0.1 + 0.2, "0.3"),
        (1e-05, "0.00001"),
        (4930901820, "4930901820"),
        (123456789012345, "123456789012345"),
        ("00123", "00123"),
        (" padded ", " padded "),
        (True, "TRUE"),
        (False, "FALSE"),
        (date(2024, 3, 1), "2024-03-01"),
        (datetime(2024, 3, 1, 0, 0), "2024-03-01"),
        (datetime(2024, 3, 1, 14, 30), "2024-03-01 14:30"),
        (datetime(2024, 3, 1, 14, 30, 5), "2024-03-01 14:30:05"),
        (time(9, 15), "09:15"),
        (None, ""),
    ],
)
def test_cells_read_as_the_text_excel_shows(value, text):
    parsed = read(workbook({"S": [["Name", "Value"], ["x", value]]}), "c.xlsx")

    assert next(parsed.rows).values["Value"] == text


def test_numbers_formatted_with_leading_zeros_keep_them():
    content = workbook(
        {"S": [["Zip", "Amount"], [8123, 8123]]},
        formats={("S", "A2"): "00000", ("S", "B2"): "0.00"},
    )

    assert rows_of(read(content, "c.xlsx")) == [["08123", "8123"]]


def test_formulas_give_the_value_excel_saved():
    content = workbook({"S": [["Qty", "Price", "Total"], [2, 3, "=A2*B2"], [4, 5, "=A3*B3"]]})
    content = with_cached_results(content, {"A2*B2": "6", "A3*B3": "20"})

    assert rows_of(read(content, "c.xlsx")) == [["2", "3", "6"], ["4", "5", "20"]]


def test_the_first_sheet_with_data_is_read_and_all_sheets_are_named_in_the_notes():
    content = workbook(
        {"Cover": [], "Orders": [["Order"], ["SO-1"]], "Returns": [["Order"], ["SO-9"]]}
    )

    parsed = read(content, "c.xlsx")

    assert parsed.sheet == "Orders"
    assert rows_of(parsed) == [["SO-1"]]
    assert parsed.notes == [
        'The workbook has 3 sheets (Cover, Orders, Returns); read "Orders". Choose another sheet '
        "in the options if needed."
    ]


def test_hidden_sheets_are_skipped_unless_chosen():
    content = workbook({"Lists": [["Code"], ["A"]], "Data": [["Name"], ["Acme"]]}, hidden={"Lists"})

    assert read(content, "c.xlsx").sheet == "Data"
    assert rows_of(read(content, "c.xlsx", sheet="Lists")) == [["A"]]


def test_a_sheet_can_be_chosen_by_name_ignoring_case():
    content = workbook({"Orders": [["Order"], ["SO-1"]], "Returns": [["Order"], ["SO-9"]]})

    parsed = read(content, "c.xlsx", sheet="returns")

    assert parsed.sheet == "Returns"
    assert rows_of(parsed) == [["SO-9"]]


def test_an_unknown_sheet_name_lists_the_sheets():
    content = workbook({"Orders": [["Order"], ["SO-1"]], "Returns": [["Order"], ["SO-9"]]})

    error = problem(content, "c.xlsx", sheet="People")

    assert error.code == "no_sheet"
    assert (
        error.message
        == 'The workbook has no sheet named "People". Its sheets are: Orders, Returns.'
    )


def test_a_workbook_without_data_is_refused():
    error = problem(workbook({"Sheet1": [], "Sheet2": [[None, ""]]}), "c.xlsx")

    assert error.code == "empty"
    assert "all its sheets are empty" in error.message


def test_a_sheet_with_only_a_header_is_refused():
    assert problem(workbook({"S": [["Name", "City"]]}), "c.xlsx").code == "no_data_rows"


def test_blank_rows_and_columns_follow_the_csv_rules_with_excel_column_letters():
    rows = [
        [None, None],
        ["Name", None, "City", None],
        ["Acme", None, "Berlin"],
        [None, None, None],
        ["Globex", None, "Paris", None, "VIP"],
        ["Initech"],
    ]

    parsed = read(workbook({"S": rows}), "c.xlsx")

    assert parsed.header_row == 2
    assert parsed.headers == ["Name", "City", "Column E"]
    assert [(row.number, row.values) for row in parsed.rows] == [
        (3, {"Name": "Acme", "City": "Berlin", "Column E": ""}),
        (5, {"Name": "Globex", "City": "Paris", "Column E": "VIP"}),
        (6, {"Name": "Initech", "City": "", "Column E": ""}),
    ]
    assert parsed.row_problems == []
    assert parsed.notes == [
        "The header is on row 2; the empty rows above it were skipped.",
        "Columns B and D have neither a header nor values; ignored.",
        "Skipped 1 empty row.",
    ]


def test_a_value_beyond_the_header_after_the_lookahead_is_a_row_problem():
    rows = [["Name", "City"], *[["Acme", "Berlin"]] * LOOKAHEAD_ROWS, ["Globex", "Paris", "x"]]

    parsed = read(workbook({"S": rows}), "c.xlsx")
    last = list(parsed.rows)[-1]

    assert last.values == {"Name": "Globex", "City": "Paris"}
    assert last.problems == (
        f'Row {LOOKAHEAD_ROWS + 2:,} has a value in column C ("x"), which has no header; it was '
        "not read. Give the column a header and upload the file again, or clear the cell.",
    )


def test_an_empty_header_over_data_is_named_by_its_column_letter():
    parsed = read(workbook({"S": [["Name", None], ["Acme", "VIP"]]}), "c.xlsx")

    assert parsed.headers == ["Name", "Column B"]


def test_duplicate_headers_name_their_column_letters():
    error = problem(workbook({"S": [["Email", "Name", "email"], ["a", "b", "c"]]}), "c.xlsx")

    assert error.message.startswith('Columns A and C both have the header "Email".')
