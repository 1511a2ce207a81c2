"""Spreadsheet downloads: formula injection neutralised, real values kept, files that import
back unchanged, and the same few queries per chunk of rows however many there are."""

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from config import exporting
from config.exporting import is_formula_like, neutralise
from config.importing import Mode, Outcome
from crm import exports
from crm.importing import COLUMNS, CustomerImport, Defaults
from crm.models import Address, Contact, Customer, CustomerGroup, Territory
from crm.services import link_address, save_contact
from dataimport.reading import match_headers, read_table
from pricing.models import PriceList
from tests.factories import CustomerFactory, PaymentFactory, SalesInvoiceFactory

PAYLOAD_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "csv-injection"
PAYLOADS = [
    line
    for path in sorted(PAYLOAD_DIR.glob("*.txt"))
    for line in path.read_text(encoding="utf-8").splitlines()
    if line.strip()
]
TRIGGERS = [
    "=1+2",
    "+A1",
    "-A1+B1",
    "@SUM(A1:A9)",
    "\t=1+2",
    "\rtext",
    "  =1+2",
    "\uff1d1+2",  # full-width equals sign
    'dde("cmd";"/C calc";"!A0")',
    "-2+cmd|' /C calc'!A0",
    "+49 30 CALL",
]
REAL_VALUES = [
    "+49 30 901820",
    "+1 (555) 123-4567",
    "+44 20 7946 0958",
    "-12.50",
    "-1,234.50",
    "+5",
    "-",
    "=",
    "",
    "a=b",
    "Müller & Söhne",
    "100 % sure - really",
    "Data(Export)",
]


def test_both_payload_files_are_read():
    assert len(PAYLOADS) >= 15


# --- the rule -----------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_gets_an_apostrophe_in_csv(payload):
    assert is_formula_like(payload)
    assert neutralise(payload) == f"'{payload}"


@pytest.mark.parametrize("text", TRIGGERS)
def test_text_a_spreadsheet_would_run_is_neutralised(text):
    assert neutralise(text) == f"'{text}"


@pytest.mark.parametrize("text", REAL_VALUES)
def test_numbers_phones_and_plain_text_stay_as_they_are(text):
    assert neutralise(text) == text


def test_values_are_written_plainly():
    assert neutralise(Decimal("-12.50")) == "-12.50"
    assert neutralise(Decimal("1E+3")) == "1000"
    assert neutralise(-7) == "-7"
    assert neutralise(None) == ""
    assert neutralise(True) == "yes"
    assert neutralise(date(2026, 12, 4)) == "2026-12-04"


def read_xlsx(content: bytes):
    return load_workbook(io.BytesIO(content)).active


def workbook_bytes(headers, rows) -> bytes:
    file = io.BytesIO()
    exporting.write_workbook(file, headers, rows)
    return file.getvalue()


def test_every_payload_is_a_string_cell_in_xlsx_never_a_formula():
    content = workbook_bytes(["Value"], [[payload] for payload in PAYLOADS])

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    cells = [row[0] for row in read_xlsx(content).iter_rows(min_row=2)]
    assert [cell.value for cell in cells] == PAYLOADS
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)


def test_xlsx_keeps_numbers_as_numbers_and_real_values_as_plain_text():
    rows = [
        [Decimal("-12.50"), "+49 30 901820", "-12.50", date(2026, 12, 4), True, "#N/A"],
        [7, "bell\x07 removed", None, None, False, "=1+2"],
    ]
    sheet = read_xlsx(workbook_bytes(["A", "B", "C", "D", "E", "F"], rows))

    first, second = (list(row) for row in sheet.iter_rows(min_row=2))
    assert first[0].value == -12.5 and first[0].number_format == "#,##0.00"
    assert first[1].value == "+49 30 901820" and not first[1].quotePrefix
    assert first[2].value == "-12.50" and first[2].data_type == "s"
    assert first[3].value.date() == date(2026, 12, 4)
    assert first[4].value is True
    assert first[5].value == "#N/A" and first[5].data_type == "s"  # text, not an error
    assert second[0].value == 7
    assert second[1].value == "bell removed"  # XML cannot hold control characters
    assert second[5].value == "=1+2" and second[5].quotePrefix


def test_file_names_say_what_and_when():
    assert exporting.export_filename("customers", "csv", date(2026, 12, 4)) == (
        "customers-2026-12-04.csv"
    )


# --- customers ------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def content_of(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def sales_client(role_client):
    return role_client("Sales User")


@pytest.fixture
def full_customer(company):
    """A customer with every column of the import filled in."""
    price_list = PriceList.objects.create(name="Wholesale 2026", currency="EUR")
    customer = CustomerFactory(
        code="CUST-0001",
        name='Müller & Söhne, "Berlin"',
        company=company,
        customer_type=Customer.Kind.INDIVIDUAL,
        customer_group=CustomerGroup.objects.get(name="Government"),
        tax_id="DE123456789",
        website="https://mueller.example.com",
        notes="Deliver before noon.\nRing twice.",
        credit_limit=Decimal("5000.50"),
        credit_days_rule="fixed_days",
        credit_days=30,
        default_price_list=price_list,
        disabled=True,
    )
    save_contact(
        contact=Contact(first_name="Anna", last_name="Müller"),
        emails=[("anna@mueller.example.com", True)],
        phones=[("+49 30 901820", True)],
        party=customer,
    )
    address = Address.objects.create(
        line1="Unter den Linden 1",
        line2="Hinterhaus",
        city="Berlin",
        state="Berlin",
        postal_code="01067",
        country="DE",
    )
    link_address(address=address, party=customer, primary_for=["billing", "shipping"])
    return customer


def test_the_customer_csv_has_the_import_template_headers_and_every_value(
    sales_client, full_customer
):
    response = sales_client.get(reverse("crm:customer_export", args=["csv"]))

    today = timezone.localdate()
    assert response["Content-Disposition"] == (
        f'attachment; filename="customers-{today:%Y-%m-%d}.csv"'
    )
    header, row = csv_rows(response)
    assert header[:4] == ["Code", "Name", "Type", "Selling company"]
    assert dict(zip(header, row, strict=True)) == {
        "Code": "CUST-0001",
        "Name": 'Müller & Söhne, "Berlin"',
        "Type": "Individual",
        "Selling company": "DT",
        "Customer group": "Government",
        "Territory": "Rest of the World",
        "Tax ID": "DE123456789",
        "Website": "https://mueller.example.com",
        "Notes": "Deliver before noon.\nRing twice.",
        "Credit limit": "5000.50",
        "Credit days rule": "fixed days",
        "Credit days": "30",
        "Price list": "Wholesale 2026",
        "Disabled": "yes",
        "Contact first name": "Anna",
        "Contact last name": "Müller",
        "Email": "anna@mueller.example.com",
        "Phone": "+4930901820",
        "Address line 1": "Unter den Linden 1",
        "Address line 2": "Hinterhaus",
        "City": "Berlin",
        "State": "Berlin",
        "Postal code": "01067",
        "Country": "DE",
    }


def test_the_customer_export_follows_the_list_search_filters_and_sort(sales_client, company):
    for code, name in [("B-1", "Bolt"), ("A-2", "Bolt Works"), ("C-3", "Cleo")]:
        CustomerFactory(code=code, name=name, company=company)

    response = sales_client.get(
        reverse("crm:customer_export", args=["csv"]), {"q": "bolt", "sort": "code"}
    )

    assert [row[0] for row in csv_rows(response)[1:]] == ["A-2", "B-1"]


def test_a_wrong_filter_sends_back_to_the_list(sales_client):
    response = sales_client.get(reverse("crm:customer_export", args=["csv"]), {"company": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("crm:customer_list"))


def test_the_customer_xlsx_is_a_workbook_with_the_same_rows(sales_client, full_customer):
    response = sales_client.get(reverse("crm:customer_export", args=["xlsx"]))

    assert response["Content-Type"] == exporting.XLSX_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = read_xlsx(content_of(response))
    header, row = sheet.iter_rows(values_only=True)
    values = dict(zip(header, row, strict=True))
    assert values["Credit limit"] == 5000.5 and values["Disabled"] is True
    assert values["Phone"] == "+4930901820" and values["Postal code"] == "01067"


def test_an_unknown_format_is_not_found(sales_client):
    assert sales_client.get("/customers/export.ods").status_code == 404


def test_neutralised_names_in_the_customer_csv(sales_client, company):
    CustomerFactory(code="EVIL", name='=HYPERLINK("http://x.example","Click")', company=company)

    _, row = csv_rows(sales_client.get(reverse("crm:customer_export", args=["csv"])))

    assert row[1] == '\'=HYPERLINK("http://x.example","Click")'


# --- importing a downloaded file back ---------------------------------------------------------


def plan_import_of(content: bytes, filename: str, company):
    parsed = read_table(content, filename=filename)
    aliases = {column.header: list(column.aliases) for column in COLUMNS}
    field_of = {column.header: column.field for column in COLUMNS}
    match = match_headers(parsed.headers, aliases)
    assert match.unknown_headers == []
    headers = {field_of[header]: found for header, found in match.mapping.items()}
    defaults = Defaults(
        company=company,
        customer_group=CustomerGroup.objects.get(name="Commercial"),
        territory=Territory.objects.get(name="Rest of the World"),
    )
    importer = CustomerImport(mode=Mode.UPSERT, defaults=defaults, headers=headers)
    rows = (
        (row.number, {name: row.values[header] for name, header in headers.items()})
        for row in parsed.rows
    )
    return importer.plan(rows)


@pytest.fixture
def customers_to_round_trip(full_customer, company, other_company):
    plain = CustomerFactory(code="PLAIN", name="Plain Ltd", company=other_company)
    figures = CustomerFactory(
        code="F-1", name="Figures Ltd", tax_id="+49 30 901820", notes="-12.50", company=company
    )
    return [full_customer, plain, figures]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_downloaded_customer_file_imports_back_unchanged(
    sales_client, company, customers_to_round_trip, file_format
):
    response = sales_client.get(reverse("crm:customer_export", args=[file_format]))

    plan = plan_import_of(content_of(response), f"customers.{file_format}", company)

    assert plan.problems == []
    assert plan.counts.unchanged == len(customers_to_round_trip) == plan.counts.total
    assert all(row.outcome == Outcome.UNCHANGED for row in plan.rows)


def test_formula_like_text_imports_back_unchanged_from_xlsx(sales_client, company):
    CustomerFactory(code="F-2", name="=1+2", notes="@SUM(1+9)*cmd|' /C calc'!A0", company=company)
    response = sales_client.get(reverse("crm:customer_export", args=["xlsx"]))

    plan = plan_import_of(content_of(response), "customers.xlsx", company)

    assert plan.problems == [] and plan.counts.unchanged == 1


# --- query counts -----------------------------------------------------------------------------


def customers_with_contacts(company, count):
    for number in range(count):
        customer = CustomerFactory(code=f"Q-{number:04d}", company=company)
        save_contact(
            contact=Contact(first_name=f"Person {number}"),
            emails=[(f"p{number}@example.com", True)],
            phones=[("+49 30 901820", True)],
            party=customer,
        )
        address = Address.objects.create(line1=f"{number} Road", city="Town", country="DE")
        link_address(address=address, party=customer, primary_for=["billing"])


def queries_of_export(client, name, file_format="csv", **query) -> tuple[int, int]:
    """(queries, data rows) of downloading a whole export."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(reverse(name, args=[file_format]), query)
        content = content_of(response)
    if file_format == "csv":
        rows = len(list(csv.reader(io.StringIO(content.decode())))) - 1
    else:
        rows = read_xlsx(content).max_row - 1
    return len(context.captured_queries), rows


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_customer_export_costs_the_same_queries_for_10_or_100_customers(
    sales_client, company, file_format
):
    customers_with_contacts(company, 10)
    few, rows = queries_of_export(sales_client, "crm:customer_export", file_format)
    assert rows == 10
    for number in range(10, 100):
        CustomerFactory(code=f"Q-{number:04d}", company=company)

    many, rows = queries_of_export(sales_client, "crm:customer_export", file_format)

    assert rows == 100
    assert many == few


def test_each_chunk_of_customers_costs_two_queries(sales_client, company, monkeypatch):
    customers_with_contacts(company, 30)
    monkeypatch.setattr(exports, "CHUNK_SIZE", 10)
    in_chunks_of_ten, _ = queries_of_export(sales_client, "crm:customer_export")
    monkeypatch.setattr(exports, "CHUNK_SIZE", 30)
    in_one_chunk, _ = queries_of_export(sales_client, "crm:customer_export")

    # one query reads the customers; each chunk reads its contacts and its addresses
    assert in_chunks_of_ten - in_one_chunk == 2 * 2


def test_the_customer_export_stays_within_its_queries(
    sales_client, company, django_assert_max_num_queries
):
    customers_with_contacts(company, 20)
    with django_assert_max_num_queries(12):
        content_of(sales_client.get(reverse("crm:customer_export", args=["csv"])))


# --- contacts and addresses ---------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_contacts_and_addresses_cost_the_same_queries_for_10_or_100(
    sales_client, company, file_format
):
    customers_with_contacts(company, 10)
    few = [queries_of_export(sales_client, name, file_format)[0] for name in AREAS]
    customers_with_contacts_many(company)

    many = [queries_of_export(sales_client, name, file_format) for name in AREAS]

    assert [rows for _, rows in many] == [100, 100]
    assert [queries for queries, _ in many] == few


AREAS = ["crm:contact_export", "crm:address_export"]


def customers_with_contacts_many(company):
    for number in range(10, 100):
        customer = CustomerFactory(code=f"Q-{number:04d}", company=company)
        Contact.objects.create(first_name=f"Person {number}")
        address = Address.objects.create(line1=f"{number} Road", city="Town", country="DE")
        link_address(address=address, party=customer)


def test_the_contact_export_follows_the_search_and_names_the_parties(sales_client, full_customer):
    save_contact(contact=Contact(first_name="=cmd|' /C calc'!A0"), phones=[("-12.50", True)])

    rows = csv_rows(sales_client.get(reverse("crm:contact_export", args=["csv"]), {"q": "anna"}))

    assert rows[0] == exports.CONTACT_HEADERS
    assert rows[1:] == [
        [
            "",
            "Anna",
            "",
            "Müller",
            "",
            "",
            "anna@mueller.example.com",
            "+4930901820",
            'CUST-0001 Müller & Söhne, "Berlin"',
            "",
        ]
    ]
    everyone = csv_rows(sales_client.get(reverse("crm:contact_export", args=["csv"])))
    assert ["'=cmd|' /C calc'!A0", "-12.50"] in [[row[1], row[7]] for row in everyone]


def test_the_address_export_follows_the_filters(sales_client, full_customer):
    Address.objects.create(line1="@evil", city="Paris", country="FR")

    response = sales_client.get(reverse("crm:address_export", args=["csv"]), {"country": "FR"})

    rows = csv_rows(response)
    assert rows[0] == exports.ADDRESS_HEADERS
    assert [row[2:8] for row in rows[1:]] == [["'@evil", "", "Paris", "", "", "FR"]]


# --- invoices and aging -----------------------------------------------------------------------


def test_the_invoice_export_has_the_list_rows_with_amounts_as_numbers(sales_client, customer):
    invoice = SalesInvoiceFactory(customer=customer)

    rows = csv_rows(sales_client.get(reverse("invoicing:invoice_export", args=["csv"])))
    assert rows[1] == [
        f"Draft {invoice.pk}",
        customer.code,
        "Acme",
        "DT",
        f"{invoice.posting_date:%Y-%m-%d}",
        f"{invoice.due_date:%Y-%m-%d}",
        invoice.currency,
        "10.00",
        "",
        "Draft",
    ]
    sheet = read_xlsx(
        content_of(sales_client.get(reverse("invoicing:invoice_export", args=["xlsx"])))
    )
    assert next(sheet.iter_rows(min_row=2, values_only=True))[7] == 10


def test_the_invoice_export_costs_the_same_queries_for_10_or_100(sales_client, customer):
    for _ in range(10):
        SalesInvoiceFactory(customer=customer)
    few, _ = queries_of_export(sales_client, "invoicing:invoice_export", q=customer.code)
    for _ in range(90):
        SalesInvoiceFactory(customer=customer)

    many, rows = queries_of_export(sales_client, "invoicing:invoice_export", q=customer.code)

    assert (many, rows) == (few, 100)


def test_the_aging_downloads_neutralise_names(sales_client, company):
    evil = CustomerFactory(code="E-1", name="-2+cmd|' /C calc'!A0", company=company)
    PaymentFactory(customer=evil, amount=Decimal("12.50"))

    csv_response = sales_client.get(reverse("invoicing:aging_csv"))
    xlsx_response = sales_client.get(reverse("invoicing:aging_xlsx"))

    assert csv_rows(csv_response)[1] == [
        "E-1",
        "'-2+cmd|' /C calc'!A0",
        *["0.00"] * 5,
        "-12.50",
        "-12.50",
    ]
    assert xlsx_response["Content-Disposition"].endswith('.xlsx"')
    row = next(read_xlsx(content_of(xlsx_response)).iter_rows(min_row=2))
    assert row[1].value == "-2+cmd|' /C calc'!A0" and row[1].data_type == "s"
    assert row[-1].value == -12.5
    page = sales_client.get(reverse("invoicing:aging")).content.decode()
    assert f'href="{reverse("invoicing:aging_xlsx")}?' in page


def test_the_list_pages_link_to_their_downloads(sales_client, company):
    pages = {
        "crm:customer_list": "crm:customer_export",
        "crm:contact_list": "crm:contact_export",
        "crm:address_list": "crm:address_export",
        "invoicing:invoice_list": "invoicing:invoice_export",
    }
    for page, export in pages.items():
        html = sales_client.get(reverse(page), {"q": "x"}).content.decode()
        assert f'href="{reverse(export, args=["csv"])}?q=x"' in html
        assert f'href="{reverse(export, args=["xlsx"])}?q=x"' in html
