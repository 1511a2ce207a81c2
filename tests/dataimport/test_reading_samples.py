"""Real-world sample files (../shared/data): each one reads correctly or ends in a clear message."""

import csv
import json
import tracemalloc
from pathlib import Path

import pytest

from dataimport.reading import FileProblem, ReadOptions, read_table

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SPECTRUM = SHARED / "csv-spectrum"
BROKEN = SHARED / "datablist" / "broken_csv"
CUSTOMERS_100K = SHARED / "datablist-generated" / "customers" / "customers-100000.csv"


def read_file(path: Path, **kwargs):
    with path.open("rb") as upload:
        parsed = read_table(upload, filename=path.name, **kwargs)
        rows = list(parsed.rows)
    return parsed, rows


def read_broken(name: str):
    parsed, rows = read_file(BROKEN / name)
    return parsed, [[row.values[h] for h in parsed.headers] for row in rows]


def expected_fixed(name: str) -> tuple[list[str], list[list[str]]]:
    with (BROKEN / "expected-fixed" / name).open(newline="", encoding="utf-8") as fixed:
        header, *rows = csv.reader(fixed)
    return header, rows


def broken_problem(name: str) -> FileProblem:
    with pytest.raises(FileProblem) as raised:
        read_broken(name)
    return raised.value


# --- csv-spectrum: every file parses exactly as its JSON says ------------------------------


@pytest.mark.parametrize("name", sorted(p.stem for p in (SPECTRUM / "csvs").glob("*.csv")))
def test_csv_spectrum_file_parses_exactly_as_its_json_says(name):
    expected = json.loads((SPECTRUM / "json" / f"{name}.json").read_text(encoding="utf-8"))

    parsed, rows = read_file(SPECTRUM / "csvs" / f"{name}.csv")

    assert [row.values for row in rows] == expected
    assert parsed.row_problems == []


def test_every_csv_spectrum_file_has_its_json_and_is_tested():
    csvs = {p.stem for p in (SPECTRUM / "csvs").glob("*.csv")}
    assert csvs == {p.stem for p in (SPECTRUM / "json").glob("*.json")}
    assert len(csvs) == 11


# --- datablist broken_csv: each file with the outcome chosen for it ------------------------

OUTCOMES = {
    "bom-and-whitespace-headers.csv": "repaired",
    "broken-encoding-latin1.csv": "repaired",
    "broken-encoding-windows-1252.csv": "repaired",
    "duplicate-headers.csv": "file problem",
    "missing-closing-quote.csv": "repaired, row problem",
    "mixed-delimiters.csv": "repaired",
    "mixed-line-endings.csv": "repaired",
    "newline-inside-unquoted-field.csv": "row problem",
    "ragged-rows-extra-columns.csv": "repaired, row problem",
    "ragged-rows-missing-columns.csv": "repaired",
    "unescaped-quotes.csv": "repaired",
    "wrong-delimiter-semicolon.csv": "repaired",
}


def test_every_file_in_the_broken_csv_manifest_has_a_tested_outcome():
    manifest = json.loads((BROKEN / "broken_csv_manifest.json").read_text())

    assert {entry["file_name"] for entry in manifest} == set(OUTCOMES)
    assert {p.name for p in BROKEN.glob("*.csv")} == set(OUTCOMES)


@pytest.mark.parametrize("name", sorted(k for k, v in OUTCOMES.items() if "repaired" in v))
def test_repaired_broken_file_gives_the_expected_fixed_rows(name):
    header, rows = expected_fixed(name)

    parsed, values = read_broken(name)

    assert parsed.headers == header
    assert values == rows


def test_bom_and_whitespace_headers_are_stripped_without_a_note():
    parsed, _ = read_broken("bom-and-whitespace-headers.csv")

    assert parsed.encoding == "utf-8-sig"
    assert parsed.headers == ["id", "name", "email"]
    assert parsed.notes == []


@pytest.mark.parametrize("name", ["broken-encoding-latin1.csv", "broken-encoding-windows-1252.csv"])
def test_western_encodings_are_decoded_as_windows_1252_with_a_note(name):
    parsed, _ = read_broken(name)

    assert parsed.encoding == "cp1252"
    assert parsed.notes[0].startswith("Decoded as Windows-1252: the file is not UTF-8.")


def test_windows_1252_smart_quotes_and_euro_sign_survive():
    _, values = read_broken("broken-encoding-windows-1252.csv")

    assert values[0] == ["1", "François", "Montréal", "“Premium” customer €"]


def test_duplicate_headers_file_is_refused_because_the_import_cannot_tell_the_emails_apart():
    error = broken_problem("duplicate-headers.csv")

    assert error.code == "duplicate_headers"
    assert error.message.startswith('Columns 3 and 4 both have the header "Email".')


def test_missing_closing_quote_is_read_to_the_end_of_its_line_and_reported_on_row_2():
    parsed, _ = read_broken("missing-closing-quote.csv")

    assert [number for number, _ in parsed.row_problems] == [2]
    assert "never closed" in parsed.row_problems[0][1]


def test_mixed_delimiters_and_line_endings_are_noted_or_silent():
    delimiters, _ = read_broken("mixed-delimiters.csv")
    line_endings, _ = read_broken("mixed-line-endings.csv")

    assert delimiters.notes == [
        "Row 3 used semicolons instead of commas between values; read them that way.",
        "Row 4 used tabs instead of commas between values; read them that way.",
    ]
    assert line_endings.notes == []


def test_newline_inside_an_unquoted_field_is_reported_not_guessed():
    parsed, values = read_broken("newline-inside-unquoted-field.csv")

    assert values == [
        ["1", "Alice", "First line"],
        ["second line should be same field", "", ""],
        ["2", "Bob", "Valid row"],
    ]
    assert [number for number, _ in parsed.row_problems] == [3]
    assert "has a single value and no separators" in parsed.row_problems[0][1]


def test_extra_column_is_dropped_from_the_values_and_reported():
    parsed, _ = read_broken("ragged-rows-extra-columns.csv")

    assert [number for number, _ in parsed.row_problems] == [3]
    assert '(the first is "unexpected", in column 4)' in parsed.row_problems[0][1]


def test_missing_column_is_left_empty_with_a_note():
    parsed, _ = read_broken("ragged-rows-missing-columns.csv")

    assert parsed.row_problems == []
    assert parsed.notes == [
        "Row 3 had fewer values than there are columns; the missing values at the end were "
        "left empty."
    ]


def test_unescaped_quotes_are_kept_in_the_value_with_a_note():
    parsed, _ = read_broken("unescaped-quotes.csv")

    assert parsed.row_problems == []
    assert parsed.notes == [
        'Row 2 had quotes inside a quoted value that were not doubled ("); they were read as '
        "part of the value."
    ]


def test_semicolon_file_is_detected_and_noted():
    parsed, _ = read_broken("wrong-delimiter-semicolon.csv")

    assert parsed.delimiter == ";"
    assert parsed.notes == ["Separator: semicolon."]


# --- hostile and real-world files ----------------------------------------------------------


def test_gebi_evil_csv_reads_its_quotes_right_and_reports_what_is_broken():
    parsed, rows = read_file(SHARED / "gebi-csv-test" / "evil.csv")
    values = {row.values["character"]: row.values["quote"] for row in rows}

    assert values["Inigo"] == "You killed my father\nDarth, I am your father"
    assert values["Buddha"] == ""
    assert values["Dada"] == "'dodo'"
    assert values["Evil Guy"] == '";drop table'
    assert values["Balmer"] == '"Developers, Developers"'
    assert values["Me"] == "\uff02Do not"  # a full-width quote is text
    assert values["quote me"] == " please\uff02"
    assert [number for number, _ in parsed.row_problems] == [7, 9]
    assert "has 1 value more than there are columns" in parsed.row_problems[0][1]
    assert "single value and no separators" in parsed.row_problems[1][1]
    assert parsed.notes == []  # its last line is empty: trailing empty rows are not noted


def test_gebi_file_whose_header_has_a_space_before_a_quote_reads_the_quote_as_text():
    parsed, rows = read_file(SHARED / "gebi-csv-test" / "evil1.csv")

    assert parsed.headers == ["Expert", '"Trust me', "I'm an expert\""]
    assert rows[0].values["Expert"] == "Balmer"


def test_gebi_file_with_only_a_header_is_refused_clearly():
    with pytest.raises(FileProblem) as raised:
        read_file(SHARED / "gebi-csv-test" / "evil2.csv")

    assert raised.value.code == "no_data_rows"


def test_superstore_excel_file_misnamed_csv_is_read_as_a_workbook():
    parsed, rows = read_file(SHARED / "superstore" / "Sample - Superstore (actually-xlsx).csv")

    assert parsed.kind == "xlsx"
    assert parsed.sheet == "Orders"
    assert len(rows) == 9994
    first = rows[0].values
    assert (first["Row ID"], first["Order Date"], first["Postal Code"]) == (
        "1",
        "2016-11-08",
        "42420",
    )
    assert parsed.notes[:2] == [
        "This file is an Excel workbook (XLSX) although its name ends in .csv; it was read as a "
        "workbook.",
        'The workbook has 3 sheets (Orders, Returns, People); read "Orders". Choose another '
        "sheet in the options if needed.",
    ]


def test_superstore_excel_file_misnamed_csv_is_refused_when_read_as_csv():
    with pytest.raises(FileProblem) as raised:
        read_file(
            SHARED / "superstore" / "Sample - Superstore (actually-xlsx).csv",
            options=ReadOptions(kind="csv"),
        )

    assert raised.value.message.startswith(
        "This file is an Excel workbook (XLSX) although its name ends in .csv."
    )


def test_superstore_csv_variants_give_the_same_rows():
    plain, plain_rows = read_file(SHARED / "superstore" / "Sample - Superstore.csv")
    quoted, quoted_rows = read_file(SHARED / "superstore" / "Sample-Superstore-allquoted.csv")

    assert plain.encoding == "utf-8-sig"
    assert plain.headers == quoted.headers
    assert len(plain_rows) == len(quoted_rows) == 9994
    assert plain_rows[1].values["Product Name"] == (
        "Hon Deluxe Fabric Upholstered Stacking Chairs, Rounded Back"
    )


def test_frappe_samples_read_with_padded_headers_stripped_and_semicolons_detected():
    comma, comma_rows = read_file(SHARED / "frappe/data_import_fixtures/sample_import_file.csv")
    semi, semi_rows = read_file(
        SHARED / "frappe/data_import_fixtures/sample_import_file_semicolon.csv"
    )

    assert comma.headers[:3] == ["Title", "Description", "Number"]
    assert semi.delimiter == ";"
    assert semi.headers[:3] == ["Title", "Description", "Number"]
    assert len(comma_rows) == len(semi_rows) == 4
    assert semi_rows[0].values["Child Description (Table Field 1)"] == (
        "child description with ,comma and"
    )
    assert comma.row_problems == semi.row_problems == []


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("m2m_customers_tags.csv", 5),
        ("o2m_customers_contacts.csv", 8),
        ("o2m_suppliers_contacts.csv", 7),
        ("res.partner.csv", 6),
    ],
)
def test_odoo_samples_read_cleanly(name, rows):
    parsed, read_rows = read_file(SHARED / "odoo" / name)

    assert len(read_rows) == rows
    assert parsed.row_problems == []
    assert parsed.notes == []


def test_odoo_multi_value_tags_stay_in_one_value():
    _, rows = read_file(SHARED / "odoo" / "m2m_customers_tags.csv")

    assert rows[1].values["Tags"] == "Consultancy Services,IT Services"


def test_northwind_rows_with_unquoted_commas_are_reported_each():
    parsed, rows = read_file(SHARED / "northwind" / "customers.csv")

    assert len(rows) == 91
    assert len(parsed.row_problems) > 0
    assert all("more than there are columns" in message for _, message in parsed.row_problems)


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(SHARED) for p in SHARED.rglob("*.csv") if p != CUSTOMERS_100K),
    ids=str,
)
def test_every_sample_csv_reads_or_gives_a_clear_message(path):
    try:
        parsed, rows = read_file(SHARED / path)
    except FileProblem as problem:
        assert problem.code and problem.message
    else:
        assert parsed.headers
        assert all(set(row.values) == set(parsed.headers) for row in rows)


# --- streaming -----------------------------------------------------------------------------


def test_a_100k_row_file_streams_in_a_fraction_of_its_size():
    tracemalloc.start()
    try:
        parsed, count = None, 0
        with CUSTOMERS_100K.open("rb") as upload:
            parsed = read_table(upload, filename=CUSTOMERS_100K.name)
            for _ in parsed.rows:
                count += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert count == 100_000
    assert peak < CUSTOMERS_100K.stat().st_size / 2
