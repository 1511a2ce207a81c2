"""The import page in the test client: upload, preview, import, history, with real files."""

import csv
import io

import pytest
from django.test import override_settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from crm.importing import COLUMNS
from crm.models import Customer
from dataimport.models import ImportLog
from tests.dataimport.helpers import (
    CUSTOMERS_100,
    SHARED,
    choose_columns,
    import_previewed,
    previewed_log,
    upload,
)
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

# Rows of customers-100.csv given a country no one knows, for the previews with problems.
UNKNOWN_COUNTRIES = {
    6: "Atlantis",
    20: "Narnia",
    25: "Netherlands Antilles",
    36: "Atlantis",
    54: "Ruritania",
    58: "Narnia",
    60: "Freedonia",
    78: "Atlantis",
}


def corrected_customers_100() -> bytes:
    """customers-100.csv as it is: every row imports."""
    return CUSTOMERS_100.read_bytes()


def spoiled_customers_100() -> bytes:
    """customers-100.csv with an unknown country in the rows of UNKNOWN_COUNTRIES."""
    rows = list(csv.reader(io.StringIO(CUSTOMERS_100.read_text(encoding="utf-8-sig"))))
    country = rows[0].index("Country")
    for number, name in UNKNOWN_COUNTRIES.items():
        rows[number - 1][country] = name
    return csv_bytes(*rows)


def csv_bytes(*rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@pytest.fixture
def clerk(role_client):
    return role_client("Sales User")


def text_of(response) -> str:
    return " ".join(response.content.decode().split())


def file_errors(response) -> list[str]:
    return response.context["form"].errors["file"]


# --- the start page and templates -------------------------------------------------------


def test_the_start_page_offers_customers_modes_defaults_and_templates(clerk, company):
    response = clerk.get(reverse("dataimport:start"))
    assert response.status_code == 200
    form = response.context["form"]
    choices = form.fields["target"].choices
    assert choices[0] == ("customers", "Customers")
    assert {"contacts", "addresses"} <= {value for value, _ in choices}
    assert [value for value, _ in form.fields["mode"].choices] == ["insert", "update", "upsert"]
    defaults = response.context["defaults"]
    assert defaults.initial["company"] == company.pk
    assert all(not group.is_group for group in defaults.fields["customer_group"].queryset)
    assert all(not node.is_group for node in defaults.fields["territory"].queryset)
    assert "format=xlsx" in response.content.decode()


def test_the_csv_template_has_every_column_and_an_example_row_that_imports(clerk, company):
    response = clerk.get(reverse("dataimport:template"), {"format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="customers-template.csv"'
    header, example = list(csv.reader(io.StringIO(response.content.decode())))
    assert header == [column.header for column in COLUMNS]
    assert dict(zip(header, example, strict=True))["Name"] == "Rasmussen Group"

    preview = upload(clerk, company, response.content, name="customers-template.csv")
    assert preview.context["preview"].plan.counts.new == 1
    assert preview.context["preview"].is_valid
    assert preview.context["log"].unknown_columns == []


def test_the_xlsx_template_explains_each_column_on_a_second_sheet(clerk):
    response = clerk.get(reverse("dataimport:template"), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Customers", "Columns"]
    rows = list(book["Customers"].iter_rows(values_only=True))
    assert list(rows[0]) == [column.header for column in COLUMNS] and len(rows) == 2
    explained = {row[0]: row for row in book["Columns"].iter_rows(min_row=2, values_only=True)}
    assert explained["Name"][1] == "yes"
    assert "Customer Id".lower() in explained["Code"][2]
    assert explained["Name"][3] == "The customer's name: a company's or a person's."
    assert explained["Code"][1] == "to update"


def test_a_template_marks_the_key_columns_a_name_keyed_target_updates_by(admin_client):
    response = admin_client.get(
        reverse("dataimport:template"), {"format": "xlsx", "target": "item_prices"}
    )
    book = load_workbook(io.BytesIO(response.content))
    explained = {row[0]: row[1] for row in book["Columns"].iter_rows(min_row=2, values_only=True)}
    assert explained["Price list"] == explained["Item code"] == "yes, and to find what to update"
    assert explained["Valid from"] == "to update"


# --- the preview --------------------------------------------------------------------------


def test_previewing_customers_100_shows_counts_columns_and_every_problem(clerk, company):
    response = upload(clerk, company, spoiled_customers_100(), name="customers-100.csv")

    assert response.status_code == 200
    preview = response.context["preview"]
    counts = preview.plan.counts
    assert (counts.new, counts.updated, counts.unchanged, counts.invalid) == (92, 0, 0, 8)
    assert (preview.parsed.kind, preview.parsed.encoding, preview.parsed.delimiter) == (
        "csv",
        "utf-8",
        ",",
    )
    assert [(p.row, p.column, p.value) for p in preview.plan.problems] == [
        (row, "Country", name) for row, name in UNKNOWN_COUNTRIES.items()
    ]
    columns = {header: (imported, note) for header, imported, note in preview.columns()}
    assert columns["Customer Id"] == ("Code", "")
    assert columns["Company"] == ("Name", "")
    assert columns["Phone 1"] == ("Phone", "")
    assert columns["City"] == ("City", "not imported without an Address line 1 column")
    assert columns["Index"] == ("", "")
    log = response.context["log"]
    assert log.unknown_columns == ["Index", "Phone 2", "Subscription Date"]
    assert (log.status, log.new, log.invalid, log.size) == (
        "previewed",
        92,
        8,
        len(spoiled_customers_100()),
    )
    assert len(log.sha256) == 64
    page = text_of(response)
    assert "3 columns not recognised." in page
    assert "Ruritania" in page and "not a country name or ISO code." in page
    assert 'type="submit" class="btn btn-primary">Import' not in page
    assert not Customer.objects.exists()


def test_a_row_the_reader_cannot_split_is_listed_and_blocks_the_import(clerk, company):
    content = (SHARED / "datablist/broken_csv/ragged-rows-extra-columns.csv").read_bytes()
    response = upload(clerk, company, content, name="ragged.csv")

    preview = response.context["preview"]
    assert [number for number, _ in preview.parsed.row_problems] == [3]
    assert preview.plan.counts.invalid == 1 and not preview.is_valid
    assert "Row 3 has 1 value more than there are columns" in text_of(response)
    assert not Customer.objects.exists()


def test_a_workbook_named_csv_is_read_as_a_workbook_with_a_note(clerk, company):
    book = Workbook()
    book.active.append(["Name", "Email"])
    book.active.append(["Workbook Ltd", "info@workbook.example"])
    out = io.BytesIO()
    book.save(out)
    response = upload(clerk, company, out.getvalue(), name="customers.csv")

    preview = response.context["preview"]
    assert preview.parsed.kind == "xlsx" and preview.plan.counts.new == 1
    assert "This file is an Excel workbook (XLSX) although its name ends in .csv" in text_of(
        response
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", '"bad.csv" is empty.'),
        (b"Name,Email\n", "The file has a header row but no data rows."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", '"bad.csv" is a PNG image, not a spreadsheet.'),
        (b"\x00\x01\x02binary\x00\xff" * 20, '"bad.csv" is not a text spreadsheet'),
        (b"Code,Email\nC1,a@example.com\n", "The file has no Name (headed one of: Name,"),
    ],
    ids=["empty", "header-only", "png", "binary", "missing-name"],
)
def test_an_unusable_file_is_refused_on_the_form_and_nothing_is_kept(
    clerk, company, content, message
):
    response = upload(clerk, company, content, name="bad.csv")

    assert response.status_code == 200
    assert any(error.startswith(message) for error in file_errors(response)), file_errors(response)
    assert not ImportLog.objects.exists() and not Customer.objects.exists()


@override_settings(IMPORT_MAX_BYTES=1000)
def test_a_file_over_the_size_limit_is_refused_with_its_size(clerk, company):
    response = upload(clerk, company, CUSTOMERS_100.read_bytes(), name="customers-100.csv")
    assert file_errors(response) == [
        '"customers-100.csv" is 0 MB; the largest file that can be imported is 0 MB. Split it '
        "into smaller files (for example by country or by year) and import them one after "
        "another."
    ]
    assert not ImportLog.objects.exists()


def test_duplicate_codes_name_both_rows(clerk, company):
    content = csv_bytes(["Code", "Name"], ["A-1", "First"], ["B-2", "Other"], ["a-1", "Again"])
    response = upload(clerk, company, content)
    problems = response.context["preview"].plan.problems
    assert [(p.row, p.column, p.value) for p in problems] == [(4, "Code", "a-1")]
    assert problems[0].message == "the same code is on row 2; codes must be unique."


def test_updating_needs_a_code_column_before_any_row_is_read(clerk, company):
    response = upload(clerk, company, csv_bytes(["Name"], ["Acme"]), mode="update")
    assert file_errors(response)[0].startswith(
        "The file has no Code (headed one of: Code, customer id, customer code"
    )
    assert "to find each record to update" in file_errors(response)[0]


# --- importing ------------------------------------------------------------------------------


def test_importing_needs_a_decision_on_every_unknown_column(clerk, company):
    log = upload(clerk, company, corrected_customers_100()).context["log"]

    response = clerk.post(reverse("dataimport:log", args=[log.pk]), {}, follow=True)
    assert "Choose what to do with each column listed above" in text_of(response)
    assert not Customer.objects.exists()
    log.refresh_from_db()
    assert log.status == "previewed"


def test_unknown_columns_left_out_are_shown_so_and_unblock_the_import(clerk, company):
    log = upload(clerk, company, corrected_customers_100()).context["log"]

    response = choose_columns(clerk, log)
    columns = {header: (imported, note) for header, imported, note in response.context["columns"]}
    assert columns["Index"] == ("", "left out, as chosen")
    assert response.context["preview"].is_valid
    log.refresh_from_db()
    assert log.unknown_columns == [] and log.options["columns"]["Index"] == ""


def test_an_unknown_header_can_be_chosen_as_a_required_column(clerk, company):
    content = csv_bytes(["Kundennummer", "Firma"], ["K-1", "Müller GmbH"], ["K-2", "Schmidt AG"])
    response = upload(clerk, company, content)
    assert response.context["preview"].plan is None
    assert "The file has no Name (headed one of: Name" in text_of(response)
    log = response.context["log"]
    assert log.unknown_columns == ["Kundennummer", "Firma"]

    chosen = choose_columns(clerk, log, {"Kundennummer": "Code", "Firma": "Name"})
    preview = chosen.context["preview"]
    assert preview.is_valid and preview.plan.counts.new == 2

    clerk.post(reverse("dataimport:log", args=[log.pk]))
    assert sorted(Customer.objects.values_list("code", "name")) == [
        ("K-1", "Müller GmbH"),
        ("K-2", "Schmidt AG"),
    ]


def test_two_headers_cannot_be_chosen_as_the_same_column(clerk, company):
    content = csv_bytes(["Firma", "Company Label"], ["Müller GmbH", "Müller"])
    log = upload(clerk, company, content).context["log"]

    response = choose_columns(clerk, log, {"Firma": "Name", "Company Label": "Name"})
    assert response.context["columns_form"].errors["column_1"] == [
        "Firma is already imported as Name."
    ]
    log.refresh_from_db()
    assert "columns" not in log.options and not Customer.objects.exists()


def test_a_missing_column_with_no_unknown_header_to_choose_is_refused_on_the_form(clerk, company):
    response = upload(clerk, company, csv_bytes(["Name"], ["Acme"]), mode="update")
    assert file_errors(response)  # nothing to choose from: refused on the form as before
    assert not ImportLog.objects.exists()


def test_importing_customers_100_writes_them_all_and_logs_it(clerk, company):
    preview = upload(clerk, company, corrected_customers_100()).context["preview"]
    assert preview.problem_count == 0 and preview.plan.counts.new == 100

    response = import_previewed(clerk, preview.log)
    assert response.status_code == 302
    assert Customer.objects.count() == 100
    log = ImportLog.objects.get()
    assert (log.status, log.new, log.invalid, log.message) == ("imported", 100, 0, "")
    assert log.duration is not None and log.finished_at >= log.started_at
    assert len(log.new_codes) == 50 and log.new_codes[0] == "DD37Cf93aecA6Dc"
    sheryl = Customer.objects.get(code="DD37Cf93aecA6Dc")
    assert sheryl.name == "Rasmussen Group" and sheryl.company == company
    assert sheryl.ledgers.count() == 1

    result = clerk.get(response["Location"])
    links = result.context["links"]
    assert len(links) == 50 and links[0] == (
        "DD37Cf93aecA6Dc",
        reverse("crm:customer_detail", args=[sheryl.pk]),
    )
    assert "Imported" in text_of(result)

    again = import_previewed(clerk, log)
    assert again.status_code == 200 and Customer.objects.count() == 100


def test_importing_the_same_file_again_finds_every_customer_unchanged(clerk, company):
    content = corrected_customers_100()
    first = upload(clerk, company, content).context["log"]
    import_previewed(clerk, first)

    response = choose_columns(clerk, upload(clerk, company, content, mode="upsert").context["log"])
    counts = response.context["preview"].plan.counts
    assert (counts.new, counts.updated, counts.unchanged, counts.invalid) == (0, 0, 100, 0)
    assert "Nothing to import: every row is unchanged." in text_of(response)

    inserting = upload(clerk, company, content, mode="insert").context["preview"]
    assert inserting.plan.counts.invalid == 100
    assert inserting.plan.problems[0].message == (
        "Rasmussen Group already has this code; choose update or insert-or-update."
    )


def test_update_mode_changes_the_named_customers_only(clerk, company):
    acme = CustomerFactory(code="ACME", name="Acme", company=company)
    other = CustomerFactory(code="OTHER", name="Other", company=company)
    log = upload(
        clerk, company, csv_bytes(["Code", "Name"], ["acme", "Acme Renamed"]), mode="update"
    ).context["log"]
    assert (log.updated, log.new) == (1, 0)

    clerk.post(reverse("dataimport:log", args=[log.pk]))
    acme.refresh_from_db()
    other.refresh_from_db()
    assert (acme.name, other.name) == ("Acme Renamed", "Other")
    log.refresh_from_db()
    assert (log.status, log.updated) == ("imported", 1)


def test_data_changed_since_the_preview_fails_the_import_and_writes_nothing(clerk, company):
    log = upload(clerk, company, csv_bytes(["Code", "Name"], ["N-1", "New"], ["N-2", "Two"]))
    log = log.context["log"]
    CustomerFactory(code="N-2", name="Meanwhile", company=company)

    response = clerk.post(reverse("dataimport:log", args=[log.pk]))
    assert response.status_code == 302
    assert list(Customer.objects.values_list("code", flat=True)) == ["N-2"]
    log.refresh_from_db()
    assert log.status == "failed"
    assert log.message.startswith("The file has a problem when checked again")
    assert "row 3, Code 'N-2': Meanwhile already has this code" in log.message
    assert "Nothing was written." in text_of(clerk.get(response["Location"]))


def test_a_file_with_problems_cannot_be_imported_by_a_forged_post(clerk, company):
    log = upload(clerk, company, spoiled_customers_100()).context["log"]
    import_previewed(clerk, log)
    log.refresh_from_db()
    assert log.status == "failed" and not Customer.objects.exists()


# --- downloads and history ------------------------------------------------------------------


def test_the_invalid_rows_download_has_the_rows_as_in_the_file_with_an_error(clerk, company):
    log = upload(clerk, company, spoiled_customers_100()).context["log"]

    response = clerk.get(reverse("dataimport:log_invalid_rows", args=[log.pk]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert response["Content-Type"] == "text/csv"
    assert [row["Country"] for row in rows] == list(UNKNOWN_COUNTRIES.values())
    assert rows[0]["Index"] == "5" and rows[0]["Company"]
    assert rows[0]["Error"] == "Country: not a country name or ISO code."


def test_the_history_lists_past_imports(clerk, company):
    log = upload(clerk, company, corrected_customers_100(), name="first.csv").context["log"]
    import_previewed(clerk, log)
    upload(clerk, company, CUSTOMERS_100.read_bytes(), name="second.csv")

    response = clerk.get(reverse("dataimport:history"))
    logs = list(response.context["page_obj"])
    assert [(entry.file_name, entry.status) for entry in logs] == [
        ("second.csv", "previewed"),
        ("first.csv", "imported"),
    ]
    assert "Customers" in text_of(response)


# --- permissions and queries --------------------------------------------------------------


def test_users_who_may_import_nothing_cannot_open_the_import_pages(role_client, company):
    client = role_client()
    log = previewed_log(company)
    for url in [
        reverse("dataimport:start"),
        reverse("dataimport:history"),
        reverse("dataimport:template"),
        reverse("dataimport:log", args=[log.pk]),
    ]:
        assert client.get(url).status_code == 403, url
    assert upload(client, company, b"Name\nX\n").status_code == 403
    assert client.post(reverse("dataimport:log", args=[log.pk])).status_code == 403
    assert not Customer.objects.exists()


def test_users_see_and_use_only_the_imports_they_may(role_client, company):
    accounts = role_client("Accounts User")
    log = previewed_log(company)

    start = accounts.get(reverse("dataimport:start"))
    offered = [name for name, _ in start.context["form"].fields["target"].choices]
    assert "suppliers" in offered and "customers" not in offered
    assert start.context["target"].name == offered[0]
    assert accounts.get(reverse("dataimport:log", args=[log.pk])).status_code == 403
    assert upload(accounts, company, b"Name\nX\n").status_code == 200  # refused on the form
    assert accounts.post(reverse("dataimport:log", args=[log.pk])).status_code == 403
    template = reverse("dataimport:template")
    assert accounts.get(template, {"target": "customers"}).status_code == 403
    assert accounts.get(template, {"target": "suppliers"}).status_code == 200
    assert not Customer.objects.exists()


def test_every_target_offers_its_existing_records_for_export(admin_client):
    clerk = admin_client
    page = clerk.get(reverse("dataimport:start"), {"target": "territories"})
    html = page.content.decode()
    export = reverse("dataimport:export_existing", args=["territories", "csv"])
    assert export in html
    assert 'aria-current="page" href="?target=territories"' in html
    response = clerk.get(export)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def first_rows(count: int) -> bytes:
    lines = corrected_customers_100().decode().splitlines(keepends=True)
    return "".join(lines[: count + 1]).encode()


def test_the_preview_costs_the_same_queries_for_10_and_100_rows(
    clerk, company, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ten:
        upload(clerk, company, first_rows(10))
    with django_assert_max_num_queries(len(ten)):
        upload(clerk, company, first_rows(100))
    with django_assert_max_num_queries(len(ten)):
        clerk.get(reverse("dataimport:history"))
    print(f"preview queries: {len(ten)}")


def test_the_admin_shows_the_log_read_only(admin_client, company):
    log = previewed_log(company)
    changelist = admin_client.get(reverse("admin:dataimport_importlog_changelist"))
    assert changelist.status_code == 200 and "matrix.csv" in changelist.content.decode()
    assert admin_client.get(reverse("admin:dataimport_importlog_add")).status_code == 403
    detail = admin_client.get(reverse("admin:dataimport_importlog_change", args=[log.pk]))
    assert detail.status_code == 200 and b'name="_save"' not in detail.content


@pytest.mark.parametrize(
    ("target", "said"),
    [
        ("customers", "Existing customers are found by their code."),
        ("territories", "Existing territories are found by their name."),
        ("item_prices", "Existing item prices are found by their price list, item code and "
         "valid from."),
        ("contacts", "Existing contacts are found by their customer or supplier and their "
         "email, else their first and last name."),
    ],
)  # fmt: skip
def test_the_mode_says_how_each_target_finds_existing_records(admin_client, target, said):
    page = admin_client.get(reverse("dataimport:start"), {"target": target})
    assert page.context["form"].fields["mode"].help_text == said
