"""Headers and rows: cleaning, empty and duplicate headers, blank and ragged rows."""

from dataimport.reading import LOOKAHEAD_ROWS, Row
from tests.dataimport.test_reading import problem, read, rows_of

# --- headers -------------------------------------------------------------------------------


def test_headers_lose_their_byte_order_mark_padding_and_surrounding_quotes():
    content = (
        b'\xef\xbb\xbf\xef\xbb\xbf Name ,  "City" ,\xe2\x80\x9cZip\xe2\x80\x9d,"First\n  Name"\n'
    )
    content += b"Acme,Berlin,10115,Ann\n"

    parsed = read(content)

    assert parsed.headers == ["Name", "City", "Zip", "First Name"]


def test_an_empty_header_over_a_column_with_data_is_named_after_the_column():
    parsed = read(b"Name,,City\nAcme,VIP,Berlin\n")

    assert parsed.headers == ["Name", "Column 2", "City"]
    assert rows_of(parsed) == [["Acme", "VIP", "Berlin"]]


def test_empty_trailing_header_cells_without_data_are_dropped_quietly():
    parsed = read(b"Name,City,,\nAcme,Berlin,,\nGlobex,Paris\n")

    assert parsed.headers == ["Name", "City"]
    assert rows_of(parsed) == [["Acme", "Berlin"], ["Globex", "Paris"]]
    assert parsed.notes == []
    assert parsed.row_problems == []


def test_an_empty_column_in_the_middle_is_dropped_with_a_note():
    parsed = read(b"Name,,City\nAcme,,Berlin\n")

    assert parsed.headers == ["Name", "City"]
    assert rows_of(parsed) == [["Acme", "Berlin"]]
    assert parsed.notes == ["Column 2 has neither a header nor values; ignored."]


def test_a_value_under_a_dropped_column_after_the_lookahead_is_a_row_problem():
    content = b"Name,,City\n" + b"Acme,,Berlin\n" * LOOKAHEAD_ROWS + b"Globex,late,Paris\n"

    parsed = read(content)
    rows = list(parsed.rows)

    assert rows[-1].values == {"Name": "Globex", "City": "Paris"}
    assert parsed.row_problems == [
        (
            LOOKAHEAD_ROWS + 2,
            f'Row {LOOKAHEAD_ROWS + 2:,} has a value in column 2 ("late"), which has no header; '
            "it was not read. Give the column a header and upload the file again, or clear the "
            "cell.",
        )
    ]


def test_duplicate_headers_are_refused_naming_both_columns():
    error = problem(b"id,name,Email,Email\n1,Alice,a@example.com,a@work.com\n")

    assert error.code == "duplicate_headers"
    assert error.message == (
        'Columns 3 and 4 both have the header "Email". Rename one of them (for example to '
        '"Email 2") so it is clear which is which, then upload the file again.'
    )


def test_headers_that_differ_only_in_case_or_spacing_are_duplicates():
    error = problem(b"Email,Name, EMAIL \na,b,c\n")

    assert "Columns 1 and 3 both have the header" in error.message


def test_a_header_row_without_any_name_is_refused():
    error = problem(b"''\n,value outside any column\n")

    assert error.code == "no_headers"
    assert error.message.startswith("Row 1, the first row that is not empty, has no column names.")


def test_the_header_is_the_first_row_that_is_not_blank():
    parsed = read(b"\n,,\nName,City\nAcme,Berlin\n")

    assert parsed.header_row == 3
    assert list(parsed.rows) == [Row(4, {"Name": "Acme", "City": "Berlin"})]
    assert parsed.notes == ["The header is on row 3; the empty rows above it were skipped."]


# --- rows ----------------------------------------------------------------------------------


def test_blank_rows_are_skipped_and_counted_in_the_notes_except_after_the_last_row():
    parsed = read(b"Name,City\nAcme,Berlin\n\n , \nGlobex,Paris\n,\n\n")

    assert [row.number for row in parsed.rows] == [2, 5]
    assert parsed.notes == ["Skipped 2 empty rows."]


def test_the_notes_are_complete_once_the_rows_are_read():
    parsed = read(b"Name\n" + b"Acme\n" * (LOOKAHEAD_ROWS + 5) + b"\n\nGlobex\n\n")

    assert parsed.notes == []
    list(parsed.rows)
    assert parsed.notes == ["Skipped 2 empty rows."]


def test_empty_extra_cells_at_the_end_of_a_row_are_dropped_silently():
    parsed = read(b"Name,City\nAcme,Berlin,,, \nGlobex,Paris\n")

    assert rows_of(parsed) == [["Acme", "Berlin"], ["Globex", "Paris"]]
    assert parsed.notes == []
    assert parsed.row_problems == []


def test_extra_values_in_a_row_are_a_row_problem_and_the_other_rows_still_read():
    parsed = read(b"id,name,email\n1,Alice,a@example.com\n2,Bob,b@example.com,unexpected,x\n")

    rows = list(parsed.rows)

    assert [row.values for row in rows] == [
        {"id": "1", "name": "Alice", "email": "a@example.com"},
        {"id": "2", "name": "Bob", "email": "b@example.com"},
    ]
    message = (
        'Row 3 has 2 values more than there are columns (the first is "unexpected", in column '
        "4). A separator inside a value is probably missing its quotes; correct the row and "
        "upload the file again."
    )
    assert rows[1].problems == (message,)
    assert parsed.row_problems == [(3, message)]


def test_all_row_problems_are_listed_not_only_the_first():
    parsed = read(b"a,b\n1,2\n1,2,3\n1,2\n1,2,3\n")

    list(parsed.rows)

    assert [number for number, _ in parsed.row_problems] == [3, 5]


def test_missing_cells_at_the_end_of_a_row_are_filled_with_empty_text_and_noted():
    parsed = read(b"id,name,email\n1,Alice,a@example.com\n2,Bob\n3,Cara\n")

    assert rows_of(parsed) == [["1", "Alice", "a@example.com"], ["2", "Bob", ""], ["3", "Cara", ""]]
    assert parsed.notes == [
        "Rows 3 and 4 had fewer values than there are columns; the missing values at the end "
        "were left empty."
    ]


def test_a_row_with_no_separator_at_all_is_a_row_problem_unless_another_separator_fits():
    content = b"id,name,email\n1,Alice,a@example.com\n2;Bob;b@example.com\n3\tCara\tc@x.com\n"
    content += b"this line was broken off the note above\n"

    parsed = read(content)
    rows = rows_of(parsed)

    assert rows[:3] == [
        ["1", "Alice", "a@example.com"],
        ["2", "Bob", "b@example.com"],
        ["3", "Cara", "c@x.com"],
    ]
    assert parsed.notes == [
        "Row 3 used semicolons instead of commas between values; read them that way.",
        "Row 4 used tabs instead of commas between values; read them that way.",
    ]
    assert parsed.row_problems == [
        (
            5,
            'Row 5 has a single value and no separators ("this line was broken off the note '
            'above"). If it is the rest of the value above it, put that value in quotes; '
            "otherwise add the missing separators.",
        )
    ]


def test_a_single_quoted_value_with_a_line_break_is_a_row_problem():
    parsed = read(b'id,name\n"one;\ntwo"\n')

    assert [row.values for row in parsed.rows] == [{"id": "one;\ntwo", "name": ""}]
    assert [number for number, _ in parsed.row_problems] == [2]


def test_long_lists_of_rows_in_notes_are_cut_short():
    parsed = read(b"a,b,c\n" + b"1,2\n" * 25)

    list(parsed.rows)

    assert parsed.notes == [
        "Rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 15 more had fewer values than there are "
        "columns; the missing values at the end were left empty."
    ]
