"""CSV and TSV files: encodings, separators and quotes."""

import codecs
import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataimport.reading import FileProblem
from dataimport.reading_text import MAX_LINES_IN_VALUE, SEPARATORS
from tests.dataimport.test_reading import problem, read, rows_of

TEXT = "Name,City,Note\nMüller,Zürich,“Premium” customer €\nJosé,España,naïve\n"
ROWS = [["Müller", "Zürich", "“Premium” customer €"], ["José", "España", "naïve"]]

# --- encodings -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("utf-16"), "utf-16"),  # Python writes the BOM, little-endian here
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "utf-16"),
        (TEXT.encode("cp1252"), "cp1252"),
    ],
    ids=["utf-8", "utf-8 with BOM", "utf-16 LE with BOM", "utf-16 BE with BOM", "windows-1252"],
)
def test_common_encodings_are_detected(content, encoding):
    parsed = read(content)

    assert parsed.encoding == encoding
    assert parsed.headers == ["Name", "City", "Note"]
    assert rows_of(parsed) == ROWS


def test_utf16_without_a_byte_order_mark_is_recognised_by_its_nul_bytes():
    parsed = read(TEXT.encode("utf-16-le"))

    assert parsed.encoding == "utf-16-le"
    assert rows_of(parsed) == ROWS
    assert parsed.notes == ["Decoded as UTF-16 LE."]


def test_excel_unicode_text_export_is_read_as_tab_separated():
    parsed = read(TEXT.replace(",", "\t").replace("\n", "\r\n").encode("utf-16"), "export.txt")

    assert (parsed.kind, parsed.encoding, parsed.delimiter) == ("tsv", "utf-16", "\t")
    assert rows_of(parsed) == ROWS


def test_a_file_that_is_not_utf8_falls_back_to_windows_1252_and_says_so():
    parsed = read(TEXT.encode("cp1252"))

    assert parsed.notes == [
        "Decoded as Windows-1252: the file is not UTF-8. If letters look wrong in the preview, "
        "choose the file's encoding and upload it again."
    ]


def test_latin1_text_reads_the_same_as_windows_1252_which_is_preferred():
    parsed = read("Name\nJosé Müller\n".encode("latin-1"))

    assert parsed.encoding == "cp1252"
    assert rows_of(parsed) == [["José Müller"]]


def test_bytes_windows_1252_does_not_define_fall_back_to_latin1():
    parsed = read(b"Name\nCaf\xe9 \x81\n")

    assert parsed.encoding == "latin-1"
    assert rows_of(parsed) == [["Café \x81"]]


def test_a_non_western_encoding_is_taken_from_the_detector_when_windows_1252_reads_it_worse():
    text = "Имя,Город\n" + "Иван Петров,Москва\nОльга Смирнова,Санкт-Петербург\n" * 20  # noqa: RUF001

    parsed = read(text.encode("cp1251"))

    assert parsed.encoding == "cp1251"
    assert rows_of(parsed)[0] == ["Иван Петров", "Москва"]


def test_non_utf8_bytes_late_in_a_large_file_are_found_before_any_row_is_returned():
    content = b"Name\n" + b"Acme\n" * 300_000 + "Café\n".encode("cp1252")

    parsed = read(content)

    assert parsed.encoding == "cp1252"
    assert rows_of(parsed)[-1] == ["Café"]


def test_the_users_encoding_wins_over_detection():
    content = "Name\nМосква\n".encode("cp1251")  # noqa: RUF001

    parsed = read(content, encoding="windows-1251")

    assert parsed.encoding == "cp1251"
    assert parsed.notes == []
    assert rows_of(parsed) == [["Москва"]]


def test_choosing_utf8_for_a_file_with_a_byte_order_mark_drops_the_mark():
    parsed = read(codecs.BOM_UTF8 + b"Name\nAcme\n", encoding="utf-8")

    assert parsed.encoding == "utf-8-sig"
    assert parsed.headers == ["Name"]


def test_an_encoding_that_cannot_decode_the_file_names_the_byte_and_line():
    content = b"Name,City\nAcme,Berlin\nM\xc3\xbcller,K\xf6ln\n"

    error = problem(content, encoding="utf-8")

    assert error.code == "encoding"
    assert error.message == (
        "The file cannot be read as UTF-8, the encoding you chose: byte 0xF6 at position 31 "
        "(line 3) is not valid in it. Choose another encoding, or leave the encoding on "
        "automatic detection."
    )


def test_an_undecodable_byte_after_the_first_megabyte_still_names_its_position_and_line():
    content = b"Name\n" + b"Acme\n" * 250_000 + b"Caf\xe9\n"

    error = problem(content, encoding="ascii")

    assert "byte 0xE9 at position 1,250,008 (line 250,002)" in error.message


def test_an_unknown_encoding_name_is_a_clear_message():
    error = problem(b"Name\nAcme\n", encoding="klingon-8")

    assert error.code == "unknown_encoding"
    assert error.message.startswith('"klingon-8" is not an encoding this import knows.')


def test_a_utf8_byte_order_mark_followed_by_other_bytes_asks_to_save_again_as_utf8():
    error = problem(codecs.BOM_UTF8 + b"Name\nCaf\xe9\n")

    assert error.code == "encoding"
    assert "marked as UTF-8, but byte 0xE9 at position 11 (line 2)" in error.message
    assert 'save it again as "CSV UTF-8"' in error.message


# --- separators ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("separator", "name", "kind"),
    [(",", None, "csv"), (";", "semicolon", "csv"), ("\t", "tab", "tsv"), ("|", "pipe", "csv")],
)
def test_the_separator_is_detected(separator, name, kind):
    text = "Name,City,Turnover\nAcme,Berlin,100\nGlobex,Paris,200\n".replace(",", separator)

    parsed = read(text.encode(), "customers.csv")

    assert (parsed.delimiter, parsed.kind) == (separator, kind)
    assert rows_of(parsed) == [["Acme", "Berlin", "100"], ["Globex", "Paris", "200"]]
    assert parsed.notes == ([f"Separator: {name}."] if name else [])


def test_separators_inside_quotes_do_not_count_when_detecting():
    text = b'Name;Address\n"Pavlova, Ltd.";"74 Rose St, Moonie Ponds"\n"A, B, C";"1, 2, 3"\n'

    parsed = read(text)

    assert parsed.delimiter == ";"
    assert rows_of(parsed) == [
        ["Pavlova, Ltd.", "74 Rose St, Moonie Ponds"],
        ["A, B, C", "1, 2, 3"],
    ]


def test_decimal_commas_in_a_semicolon_file_do_not_make_it_comma_separated():
    parsed = read(b"Item;Price;Qty\nWidget;1,50;2\nGadget;12,00;10\n")

    assert parsed.delimiter == ";"
    assert rows_of(parsed)[0] == ["Widget", "1,50", "2"]


def test_a_tab_separated_file_named_csv_is_tsv():
    parsed = read(b"Name\tCity\nAcme\tBerlin\n", "customers.csv")

    assert parsed.kind == "tsv"
    assert parsed.notes == ["Separator: tab."]


def test_a_file_with_a_single_column_reads_as_one_column():
    parsed = read(b"Email\na@example.com\nb@example.com\n")

    assert parsed.headers == ["Email"]
    assert rows_of(parsed) == [["a@example.com"], ["b@example.com"]]


def test_the_users_separator_wins_over_detection():
    parsed = read(b"Name;City,Country\nAcme;Berlin,Germany\n", delimiter=",")

    assert parsed.delimiter == ","
    assert parsed.headers == ["Name;City", "Country"]


def test_a_separator_choice_that_leaves_a_single_column_gets_a_hint():
    parsed = read(b"Name;City\nAcme;Berlin\n", delimiter=",")

    assert parsed.headers == ["Name;City"]
    assert parsed.notes == [
        "With comma as the separator every row is a single column; the file looks separated by "
        "semicolons. Choose automatic detection or that separator."
    ]


# --- line endings and quotes ---------------------------------------------------------------


def test_mixed_line_endings_all_end_rows():
    parsed = read(b"Name,City\nAcme,Berlin\r\nGlobex,Paris\rInitech,Austin")

    assert [row.number for row in parsed.rows] == [2, 3, 4]


def test_line_breaks_inside_quoted_values_are_kept_and_rows_are_numbered_by_their_first_line():
    parsed = read(b'Name,Address\nAcme,"Line 1\r\nLine 2"\nGlobex,Paris\n')

    rows = list(parsed.rows)

    assert rows[0].values["Address"] == "Line 1\r\nLine 2"
    assert [row.number for row in rows] == [2, 4]


def test_quotes_doubled_inside_quotes_are_one_quote():
    parsed = read(b'Name,Note\nAcme,"He said ""hi"""\n')

    assert rows_of(parsed) == [["Acme", 'He said "hi"']]


def test_quotes_inside_a_quoted_value_that_are_not_doubled_are_read_as_text_and_noted():
    parsed = read(b'Name,Note,City\nAcme,"He said "hi" twice",Berlin\nGlobex,ok,Paris\n')

    assert rows_of(parsed) == [["Acme", 'He said "hi" twice', "Berlin"], ["Globex", "ok", "Paris"]]
    assert parsed.row_problems == []
    assert parsed.notes == [
        'Row 2 had quotes inside a quoted value that were not doubled ("); they were read as part '
        "of the value."
    ]


def test_spaces_after_a_closing_quote_are_tolerated():
    parsed = read(b'Name,City\n"Acme" ,Berlin\n')

    assert rows_of(parsed) == [["Acme", "Berlin"]]


def test_a_quote_that_is_never_closed_is_reported_on_its_row_and_the_rows_after_it_are_kept():
    content = (
        b'Name,Note,City\nAcme,"Started yesterday,Berlin\nGlobex,ok,Paris\nInitech,ok,Austin\n'
    )

    parsed = read(content)
    rows = rows_of(parsed)

    assert rows == [
        ["Acme", "Started yesterday,Berlin", ""],
        ["Globex", "ok", "Paris"],
        ["Initech", "ok", "Austin"],
    ]
    assert parsed.row_problems == [
        (
            2,
            'The quote (") that starts the value in column 2 on row 2 is never closed, so it '
            "would have swallowed the rows after it. The value was read up to the end of row 2; "
            "add the missing closing quote and upload the file again.",
        )
    ]


def test_a_quoted_value_running_over_too_many_lines_is_reported_as_an_unclosed_quote():
    body = b"".join(b"Customer %d,ok,Town\n" % n for n in range(3, 3 + MAX_LINES_IN_VALUE + 10))
    content = b'Name,Note,City\nAcme,"Started,Berlin\n' + body + b'Last,closes here",Paris\n'

    parsed = read(content)
    rows = list(parsed.rows)

    assert rows[0].values == {"Name": "Acme", "Note": "Started,Berlin", "City": ""}
    assert (
        rows[0]
        .problems[0]
        .startswith(
            'The quote (") that starts the value in column 2 on row 2 is not closed within 100 '
        )
    )
    assert rows[1].values == {"Name": "Customer 3", "Note": "ok", "City": "Town"}
    assert len(rows) == 2 + MAX_LINES_IN_VALUE + 10
    assert rows[-1].values == {"Name": "Last", "Note": 'closes here"', "City": "Paris"}


def test_a_long_quoted_value_within_the_limit_is_one_value():
    note = "\n".join(f"line {n}" for n in range(MAX_LINES_IN_VALUE - 1))

    parsed = read(f'Name,Note\nAcme,"{note}"\nGlobex,ok\n'.encode())

    assert rows_of(parsed) == [["Acme", note], ["Globex", "ok"]]
    assert parsed.row_problems == []


def test_a_value_over_the_csv_size_limit_is_reported_not_crashed_on():
    content = b'Name,Note\nAcme,"' + b"x" * 200_000 + b"\nGlobex,ok\n"

    parsed = read(content)
    rows = list(parsed.rows)

    assert rows[0].problems
    assert rows[1].values == {"Name": "Globex", "Note": "ok"}


def test_an_unclosed_quote_in_the_header_is_a_file_problem():
    assert problem(b'Name,"Note\nAcme,ok\n').code == "header_quote"


# --- anything at all -----------------------------------------------------------------------

CSV_ALPHABET = st.sampled_from([*"ab ,;\t|\"'\n\r\x00é€", "\r\n", '""', '","'])


@settings(max_examples=300, deadline=None)
@given(st.lists(CSV_ALPHABET, max_size=60).map("".join), st.sampled_from(["utf-8", "cp1252"]))
def test_any_text_reads_or_gives_a_file_problem(text, encoding):
    content = text.encode(encoding, errors="replace")
    try:
        parsed = read(content)
        rows = list(parsed.rows)
    except FileProblem as error:
        assert error.message
    else:
        assert all(list(row.values) == parsed.headers for row in rows)
        assert all(row.number > parsed.header_row for row in rows)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_read_or_give_a_file_problem(content):
    try:
        list(read(content).rows)
    except FileProblem as error:
        assert error.message


CELL = st.lists(st.sampled_from([*"ab ,;\t|\"'\n\ré€", "\r\n", "x y"]), max_size=8).map("".join)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(2, 5).flatmap(
        lambda width: st.lists(st.lists(CELL, min_size=width, max_size=width), max_size=6)
    ),
    st.sampled_from(list(SEPARATORS)),
)
def test_whatever_a_csv_writer_writes_reads_back_unchanged(rows, separator):
    headers = [f"Column {n}" for n in range(len(rows[0]) if rows else 2)]
    text = io.StringIO()
    writer = csv.writer(text, delimiter=separator, lineterminator="\r\n")
    writer.writerows([headers, *rows, ["last", *headers[1:]]])

    parsed = read(text.getvalue().encode())

    assert parsed.delimiter == separator
    assert rows_of(parsed) == [row for row in rows if "".join(row).strip()] + [
        ["last", *headers[1:]]
    ]
    assert parsed.row_problems == []
