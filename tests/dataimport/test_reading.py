"""read_table: what kind of file an upload is, how big, and what comes out of it."""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import override_settings

from dataimport.reading import FileProblem, ParsedFile, ReadOptions, Row, read_table

DATA = Path(__file__).resolve().parents[1] / "data"


def read(data, filename="upload.csv", **options) -> ParsedFile:
    return read_table(data, filename=filename, options=ReadOptions(**options))


def rows_of(parsed: ParsedFile) -> list[list[str]]:
    """The values of every row, in header order, reading the rows to the end."""
    return [[row.values[h] for h in parsed.headers] for row in parsed.rows]


def problem(data, filename="upload.csv", **options) -> FileProblem:
    with pytest.raises(FileProblem) as raised:
        parsed = read(data, filename, **options)
        list(parsed.rows)
    return raised.value


def xlsx_bytes(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_simple_file_gives_its_header_and_rows_numbered_as_in_the_file():
    parsed = read(b"Name,City\nAcme,Berlin\nGlobex,Paris\n")

    assert parsed.kind == "csv"
    assert parsed.encoding == "utf-8"
    assert parsed.delimiter == ","
    assert parsed.headers == ["Name", "City"]
    assert list(parsed.rows) == [
        Row(2, {"Name": "Acme", "City": "Berlin"}),
        Row(3, {"Name": "Globex", "City": "Paris"}),
    ]
    assert parsed.notes == []
    assert parsed.row_problems == []


def test_values_are_kept_exactly_as_written():
    parsed = read(b"Code,Name,Zip\n007, Padded ,08123\n")

    assert next(parsed.rows).values == {"Code": "007", "Name": " Padded ", "Zip": "08123"}


def test_rows_are_an_iterator_that_streams():
    parsed = read(b"a\n" + b"".join(b"%d\n" % n for n in range(5000)))

    assert iter(parsed.rows) is parsed.rows
    assert next(parsed.rows).number == 2
    assert sum(1 for _ in parsed.rows) == 4999


# --- uploads and sizes ---------------------------------------------------------------------


def test_reads_a_django_upload_and_leaves_it_open_for_the_next_reader():
    upload = SimpleUploadedFile("customers.csv", b"Name\nAcme\n", content_type="text/csv")
    upload.read()  # a form looked at it first

    assert rows_of(read_table(upload, filename=upload.name)) == [["Acme"]]
    assert not upload.closed
    assert rows_of(read_table(upload, filename=upload.name)) == [["Acme"]]


def test_reads_a_large_upload_that_django_spooled_to_disk():
    upload = TemporaryUploadedFile("big.csv", "text/csv", 0, None)
    upload.write(b"Name;City\n" + b"Acme;Berlin\n" * 10_000)
    upload.size = upload.tell()

    parsed = read_table(upload, filename=upload.name)

    assert parsed.delimiter == ";"
    assert sum(1 for _ in parsed.rows) == 10_000
    upload.close()


def test_reads_a_stream_that_cannot_seek():
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            return self.data.readinto(buffer)

    assert rows_of(read(Pipe(b"Name\nAcme\n"))) == [["Acme"]]


def test_a_file_from_disk_reads_like_an_upload():
    with (DATA / "import" / "kunden-excel-de.csv").open("rb") as upload:
        parsed = read_table(upload, filename="kunden.csv")
        rows = rows_of(parsed)

    assert parsed.encoding == "cp1252"
    assert parsed.delimiter == ";"
    assert parsed.headers == ["Kundennummer", "Name", "Straße", "PLZ", "Ort", "Umsatz"]
    assert rows[0] == [
        "K-0001",
        "Müller & Söhne GmbH",
        "Königstraße 5",
        "01067",
        "Dresden",
        "1.234,50 €",
    ]
    assert rows[1][1] == "„Bäckerei Weiß“"


def test_an_empty_file_is_refused():
    error = problem(b"", "customers.csv")

    assert error.code == "empty"
    assert error.message == '"customers.csv" is empty. Check that you chose the right file.'


def test_a_file_of_empty_lines_is_refused():
    assert problem(b"\n\r\n ,, \n").code == "empty"


def test_a_header_without_data_rows_is_refused():
    error = problem(b"Name,Email\n\n\n")

    assert error.code == "no_data_rows"
    assert "has a header row but no data rows" in error.message


@override_settings(IMPORT_MAX_BYTES=1024 * 1024)
def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit():
    error = problem(b"a\n" + b"x" * (3 * 1024 * 1024), "huge.csv")

    assert error.code == "too_large"
    assert error.message.startswith(
        '"huge.csv" is 3 MB; the largest file that can be imported is 1 MB.'
    )


def test_the_limit_defaults_to_50_mb():
    assert ReadOptions().max_bytes == 50 * 1024 * 1024


def test_an_upload_that_gives_its_size_is_refused_before_it_is_read():
    class Upload(io.BytesIO):
        size = 60 * 1024 * 1024

        def read(self, *args):
            raise AssertionError("read although too large")

    error = problem(Upload(b"a\n1\n"), max_bytes=50 * 1024 * 1024)

    assert error.code == "too_large"
    assert "is 60 MB; the largest file that can be imported is 50 MB" in error.message


def test_a_stream_without_a_size_is_read_only_up_to_the_limit():
    class Endless(io.RawIOBase):
        served = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[:] = b"x" * len(buffer)
            self.served += len(buffer)
            return len(buffer)

    stream = Endless()
    assert problem(stream, max_bytes=3 * 1024 * 1024).code == "too_large"
    assert stream.served <= 5 * 1024 * 1024


# --- what the file is ----------------------------------------------------------------------


def test_an_excel_workbook_named_csv_is_read_as_a_workbook_and_the_notes_say_so():
    parsed = read(xlsx_bytes([["Name"], ["Acme"]]), "customers.csv")

    assert parsed.kind == "xlsx"
    assert rows_of(parsed) == [["Acme"]]
    assert parsed.notes[0] == (
        "This file is an Excel workbook (XLSX) although its name ends in .csv; it was read "
        "as a workbook."
    )


def test_an_excel_workbook_named_csv_is_refused_when_the_user_insists_on_csv():
    error = problem(xlsx_bytes([["Name"], ["Acme"]]), "customers.csv", kind="csv")

    assert error.code == "xlsx_not_csv"
    assert error.message.startswith(
        "This file is an Excel workbook (XLSX) although its name ends in .csv."
    )


def test_a_text_file_named_xlsx_is_read_as_csv_and_the_notes_say_so():
    parsed = read(b"Name\nAcme\n", "customers.xlsx")

    assert parsed.kind == "csv"
    assert parsed.notes == [
        "This file is a text (CSV) file although its name ends in .xlsx; it was read as text."
    ]


def test_a_text_file_is_refused_when_the_user_insists_on_xlsx():
    assert problem(b"Name\nAcme\n", "customers.xlsx", kind="xlsx").code == "csv_not_xlsx"


def test_an_old_binary_xls_workbook_asks_for_xlsx_or_csv():
    error = problem(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "customers.xls")

    assert error.code == "old_excel"
    assert "(.xls)" in error.message
    assert 'save it as "Excel Workbook (.xlsx)" or "CSV UTF-8"' in error.message


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "is a PDF document, not a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is a PNG image, not a spreadsheet"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "is a JPEG image, not a spreadsheet"),
        (b"GIF89a\x01\x00", "is a GIF image, not a spreadsheet"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "is not a text spreadsheet"),
        (b"<!DOCTYPE html><html><table><tr><td>1", "is a web page (HTML), not a spreadsheet"),
        (zip_bytes({"report.txt": b"hello"}), "is a ZIP archive, not a spreadsheet"),
    ],
)
def test_other_binary_content_is_refused_as_not_a_spreadsheet(content, what):
    error = problem(content, "customers.csv")

    assert error.code == "not_text"
    assert error.message.startswith(f'"customers.csv" {what}')


def test_an_opendocument_spreadsheet_asks_for_xlsx_or_csv():
    content = zip_bytes(
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"}
    )

    error = problem(content, "customers.ods")

    assert error.code == "ods"
    assert "OpenDocument spreadsheet (.ods)" in error.message


def test_an_excel_binary_workbook_asks_for_xlsx():
    content = zip_bytes({"xl/workbook.bin": b"\x00", "[Content_Types].xml": b"<x/>"})

    assert problem(content, "customers.xlsb").code == "xlsb"


def test_a_truncated_workbook_is_reported_as_damaged():
    content = xlsx_bytes([["Name"], ["Acme"]])

    error = problem(content[: len(content) // 2], "customers.xlsx")

    assert error.code == "damaged_xlsx"
    assert "damaged or incomplete" in error.message


def test_a_csv_whose_first_header_starts_with_pk_is_text_not_a_zip():
    assert read(b"PK,Name\n1,Acme\n").headers == ["PK", "Name"]


def test_binary_data_further_down_a_text_file_is_refused_with_its_line():
    error = problem(b"Name\n" + b"Acme\n" * 5000 + b"\x00\x01\x02garbage\n")

    assert error.code == "not_text"
    assert "line 5,002 contains binary data" in error.message


def test_options_accept_only_known_separators_and_kinds():
    with pytest.raises(ValueError, match="delimiter"):
        ReadOptions(delimiter=":")
    with pytest.raises(ValueError, match="kind"):
        ReadOptions(kind="ods")
