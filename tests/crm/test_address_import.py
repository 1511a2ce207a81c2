"""Importing addresses in bulk: each linked to a customer or supplier by its code."""

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.importing import Mode
from crm import importing_contacts
from crm.importing_addresses import ADDRESS_COLUMNS, AddressImport
from crm.models import Address, AddressLink
from crm.services import link_address
from dataimport.targets import TARGETS
from dataimport.targets_contacts import ADDRESSES
from tests.crm.import_helpers import (
    CHINOOK_CUSTOMERS,
    SHARED,
    file_rows,
    planned_and_written,
    statements,
    table_rows,
)
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADERS = {
    "customer_code": "Customer Code",
    "supplier_code": "Supplier",
    "title": "Title",
    "address_type": "Address Type",
    "line1": "Street",
    "line2": "Address line 2",
    "city": "City",
    "state": "State",
    "postal_code": "Zip",
    "country": "Country",
    "phone": "Phone",
    "email": "Email",
    "is_primary_billing": "Primary billing",
    "is_primary_shipping": "Primary shipping",
}


def an_import(mode=Mode.INSERT, headers=HEADERS, user=None):
    return AddressImport(mode=mode, headers=headers, user=user)


def row(number=2, **cells):
    base = {
        "customer_code": "CUST-00012",
        "title": "Head office",
        "line1": "Unter den Linden 1",
        "city": "Berlin",
        "postal_code": "10117",
        "country": "Germany",
        "phone": "030 901820",
    }
    return number, {**base, **cells}


def imported(rows, **options):
    return planned_and_written(an_import(**options), rows)


def existing_address(party, title="Head office", line1="Unter den Linden 1", **fields):
    fields = {"city": "Berlin", "postal_code": "10117", "country": "DE", **fields}
    address = Address.objects.create(title=title, line1=line1, **fields)
    link_address(address=address, party=party)
    return address


def primary(party, flag):
    kind = party._meta.model_name
    links = AddressLink.objects.filter(**{kind: party, flag: True})
    return [link.address.title for link in links]


# --- new addresses ----------------------------------------------------------------------------


def test_a_new_address_is_linked_with_its_history_and_becomes_primary_for_both(acme):
    clerk = UserFactory()
    plan = imported([row(address_type="ship to", state="Berlin")], user=clerk)

    assert plan.new_keys(5) == ["CUST-00012: Head office"]
    link = AddressLink.objects.get(customer=acme)
    address = link.address
    assert (address.address_type, address.country.code, address.phone) == (
        "shipping",
        "DE",
        "+4930901820",
    )
    assert (link.is_primary_billing, link.is_primary_shipping) == (True, True)
    history = address.history.get()
    assert (history.history_type, history.history_user) == ("+", clerk)


def test_an_address_without_a_title_is_shown_by_its_street_and_city(acme):
    plan = an_import().plan([row(title="")])
    assert plan.new_keys(1) == ["CUST-00012: Unter den Linden 1, Berlin"]


def test_an_address_of_a_supplier_is_linked_to_the_supplier(vendor):
    imported([row(customer_code="", supplier_code="supp-00001")])
    link = AddressLink.objects.get()
    assert (link.supplier, link.customer) == (vendor, None)


@pytest.mark.parametrize(
    ("word", "kind"),
    [("", "billing"), ("Warehouse", "warehouse"), ("invoice address", "billing"),
     ("Delivery", "shipping"), ("SUBSIDIARY", "subsidiary"), ("factory", "plant")],
)  # fmt: skip
def test_address_types_are_read_from_friendly_words(acme, word, kind):
    imported([row(address_type=word)])
    assert Address.objects.get().address_type == kind


def test_primary_flags_take_over_from_the_previous_addresses(acme):
    existing_address(acme, title="Old", line1="Old Road 1")
    AddressLink.objects.filter(customer=acme).update(
        is_primary_billing=True, is_primary_shipping=True
    )
    imported(
        [
            row(2, title="Depot", line1="Depot 1", is_primary_shipping="yes"),
            row(3, title="Office", is_primary_billing="ja"),
        ]
    )
    assert primary(acme, "is_primary_billing") == ["Office"]
    assert primary(acme, "is_primary_shipping") == ["Depot"]


def test_the_first_new_address_becomes_primary_only_where_the_party_has_none(acme):
    existing_address(acme, title="Old", line1="Old Road 1")
    AddressLink.objects.filter(customer=acme).update(is_primary_billing=True)

    imported([row(2, title="A", line1="A 1"), row(3, title="B", line1="B 1")])

    assert primary(acme, "is_primary_billing") == ["Old"]
    assert primary(acme, "is_primary_shipping") == ["A"]


def test_the_dry_run_writes_nothing(acme):
    plan = an_import().plan([row()])
    assert plan.counts.new == 1 and not Address.objects.exists()


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "column", "value", "message"),
    [
        ({"customer_code": "CUST-404"}, "Customer Code", "CUST-404", "no customer has this code."),
        ({"supplier_code": "SUPP-00001"}, "Supplier", "SUPP-00001",
         "give a customer code or a supplier code, not both."),
        ({"customer_code": ""}, "Customer Code", "",
         "give the code of the customer or supplier this address belongs to."),
        ({"country": "Narnia"}, "Country", "Narnia", "not a country name or ISO code."),
        ({"country": ""}, "Country", "", "a new address needs its country."),
        ({"city": ""}, "City", "", "a new address needs its city."),
        ({"line1": ""}, "Street", "", "a new address needs its address line 1."),
        ({"title": "", "line1": ""}, "Street", "",
         "give a title or the first line to tell which address this is."),
        ({"address_type": "castle"}, "Address Type", "castle", "use one of: billing, office,"),
        ({"postal_code": "1" * 21}, "Zip", "1" * 21, "longer than 20 characters (21)."),
        ({"email": "office at acme"}, "Email", "office at acme", "not an email address."),
        ({"is_primary_billing": "perhaps"}, "Primary billing", "perhaps", "use yes or no."),
    ],
)  # fmt: skip
def test_a_bad_cell_names_the_row_the_column_the_value_and_the_fix(
    acme, vendor, cells, column, value, message
):
    job = an_import()
    plan = job.plan([row(9, **cells)])

    assert [(p.row, p.column, p.value) for p in plan.problems] == [(9, column, value)]
    assert plan.problems[0].message.startswith(message)
    assert plan.counts.invalid == 1
    with pytest.raises(ValidationError, match="Fix the problems"):
        job.write(plan)
    assert not Address.objects.exists()


def test_a_missing_required_column_is_refused_before_any_row():
    headers = {key: value for key, value in HEADERS.items() if key != "city"}
    with pytest.raises(ValidationError, match="The file has no City column"):
        an_import(headers=headers).plan(iter(()))


def test_updating_needs_a_title_or_a_first_line_column():
    with pytest.raises(ValidationError, match="Updating needs a Title or an Address line 1"):
        an_import(mode=Mode.UPDATE, headers={"customer_code": "C", "city": "City"}).plan([])


def test_two_rows_making_one_party_s_primary_billing_name_both_rows(acme):
    plan = an_import().plan(
        [row(2, is_primary_billing="yes"), row(3, title="Depot", is_primary_billing="1")]
    )
    assert [str(problem) for problem in plan.problems] == [
        "row 3, Primary billing '1': row 2 already makes its address the primary billing "
        "address of CUST-00012; mark only one."
    ]


def test_the_same_address_twice_in_a_file_names_both_rows(acme):
    plan = an_import().plan(
        [row(2, title=""), row(3, title="", line1=" unter  den linden 1", city="BERLIN")]
    )
    assert [(p.row, p.message) for p in plan.problems] == [
        (3, "row 2 has the same address; give each address once.")
    ]


def test_duplicate_titles_are_found_across_batches(acme, monkeypatch):
    monkeypatch.setattr(importing_contacts, "BATCH_SIZE", 1)
    plan = an_import().plan([row(2), row(3, title="Depot"), row(4, title="head office")])
    assert [(p.row, p.column) for p in plan.problems] == [(4, "Title")]


def test_a_title_that_matches_two_addresses_says_so(acme):
    existing_address(acme, line1="A 1")
    existing_address(acme, line1="B 1")
    plan = an_import(mode=Mode.UPSERT).plan([row()])
    assert plan.problems[0].message == (
        "2 addresses of CUST-00012 match; tell them apart on their pages first, or give a title."
    )


def test_inserting_an_address_the_party_has_is_refused(acme):
    existing_address(acme)
    plan = an_import().plan([row()])
    assert plan.problems[0].message == (
        "CUST-00012 already has this address; choose update or insert-or-update."
    )


# --- updating -------------------------------------------------------------------------------


def test_an_update_by_title_changes_the_address_in_place_with_history(acme):
    address = existing_address(acme, title="HEAD OFFICE")
    clerk = UserFactory()

    plan = imported([row(line1="Friedrichstr. 5", city="Berlin-Mitte")], mode=Mode.UPDATE,
                    user=clerk)  # fmt: skip

    assert plan.counts.updated == 1
    address.refresh_from_db()
    assert (address.line1, address.city, address.phone) == (
        "Friedrichstr. 5",
        "Berlin-Mitte",
        "+4930901820",
    )
    history = address.history.first()
    assert (history.history_type, history.history_user) == ("~", clerk)
    assert AddressLink.objects.filter(customer=acme).count() == 1


def test_an_update_without_title_finds_the_address_by_street_postal_code_and_city(acme):
    address = existing_address(acme, title="")
    imported([row(title="", line1="UNTER DEN  LINDEN 1", email="office@acme.example")],
             mode=Mode.UPDATE)  # fmt: skip
    address.refresh_from_db()
    assert address.email == "office@acme.example"


def test_empty_cells_of_needed_parts_keep_the_existing_values(acme):
    address = existing_address(acme, state="Berlin")
    imported([row(line1="", city="", country="", state="")], mode=Mode.UPDATE)
    address.refresh_from_db()
    assert (address.line1, address.city, address.country.code, address.state) == (
        "Unter den Linden 1",
        "Berlin",
        "DE",
        "",
    )


def test_upsert_adds_new_updates_changed_and_skips_unchanged_addresses(acme):
    same = existing_address(acme, title="Same", phone="+4930901820")
    existing_address(acme, title="Changed", line1="Old 1", phone="+4930901820")
    rows = [row(2, title="Same"), row(3, title="Changed"), row(4, title="New")]

    plan = imported(rows, mode=Mode.UPSERT)

    assert (plan.counts.unchanged, plan.counts.updated, plan.counts.new) == (1, 1, 1)
    assert Address.objects.get(title="Changed").line1 == "Unter den Linden 1"
    assert same.history.count() == 1


def test_making_an_existing_address_primary_switches_from_the_old_one(acme):
    existing_address(acme, title="Old", line1="Old 1")
    existing_address(acme, phone="+4930901820")
    AddressLink.objects.filter(address__title="Old").update(is_primary_billing=True)

    plan = imported([row(is_primary_billing="yes")], mode=Mode.UPDATE)

    assert plan.counts.updated == 1
    assert primary(acme, "is_primary_billing") == ["Head office"]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(acme, vendor):
    rows = [
        row(2, is_primary_shipping="yes"),
        row(3, title="", line1="Depot 1", address_type="warehouse"),
        row(4, customer_code="", supplier_code="SUPP-00001", title="Mill"),
    ]
    imported(rows)
    counts = (Address.objects.count(), AddressLink.objects.count())

    plan = imported(rows, mode=Mode.UPSERT)

    assert (plan.counts.unchanged, plan.counts.total) == (3, 3)
    assert counts == (Address.objects.count(), AddressLink.objects.count())


# --- queries --------------------------------------------------------------------------------


def address_rows(company, offset, count):
    """Rows for `count` customers with an address each, half of them to update."""
    rows = []
    for n in range(count):
        customer = CustomerFactory(code=f"Q-{offset + n}", company=company)
        if n % 2:
            existing_address(customer, title="Office")
        rows.append(row(n + 2, customer_code=customer.code, title="Office", state="Berlin",
                        is_primary_billing="yes"))  # fmt: skip
    rows.append(row(count + 2, customer_code="", supplier_code="SUPP-00001"))
    return rows


def test_queries_do_not_grow_with_the_rows(company, vendor):
    def cost(rows):
        with CaptureQueriesContext(connection) as queries:
            plan = imported(rows, mode=Mode.UPSERT)
        assert plan.counts.new and plan.counts.updated
        return statements(queries)

    assert cost(address_rows(company, 0, 10)) == cost(address_rows(company, 100, 100))


def test_the_dry_run_reads_parties_and_addresses_in_three_queries(
    company, vendor, django_assert_max_num_queries
):
    rows = address_rows(company, 0, 100)
    with django_assert_max_num_queries(3):  # customers, suppliers, links with addresses
        an_import(mode=Mode.UPSERT).plan(rows)


# --- real files and the import page ---------------------------------------------------------


def test_chinook_s_customer_addresses_import_and_again_unchanged(company):
    headers, rows = file_rows(CHINOOK_CUSTOMERS, ADDRESS_COLUMNS)
    assert (headers["line1"], headers["postal_code"]) == ("Address", "PostalCode")
    del headers["email"]  # a customer's email, not its address's (see the contacts import)
    for number in range(1, len(rows) + 1):
        CustomerFactory(code=str(number), company=company)

    plan = imported(rows, headers=headers)

    assert plan.counts.new == 59
    luis = AddressLink.objects.get(customer__code="1").address
    assert (luis.line1, luis.city, luis.state, luis.postal_code, luis.country.code) == (
        "Av. Brigadeiro Faria Lima, 2170",
        "São José dos Campos",
        "SP",
        "12227-000",
        "BR",
    )
    assert imported(rows, headers=headers, mode=Mode.UPSERT).counts.unchanged == 59


def test_erpnext_s_address_records_import_under_their_field_names(acme, vendor):
    """Frappe's address fixtures, as a file with ERPNext's field names for headers; each
    record belongs to the customer or the supplier its link names."""
    records = json.loads((SHARED / "frappe" / "address_test_records.json").read_text())
    names = ["address_title", "address_type", "address_line1", "city", "Country",
             "is_shipping_address"]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["customer", "supplier", *names])
    for record in records:
        of_supplier = record["links"][0]["link_name"].endswith("_Test Supplier")
        party = ["", "SUPP-00001"] if of_supplier else ["CUST-00012", ""]
        writer.writerow([*party, *(record.get(name, "") for name in names)])
    headers, rows = table_rows(out.getvalue().encode(), "addresses.csv", ADDRESS_COLUMNS)

    imported(rows, headers=headers)

    stored = Address.objects.order_by("title")
    assert [(a.title, a.address_type, a.country.code) for a in stored] == [
        (f"_Test Address {n} Title", kind, "NG")
        for n, kind in enumerate(["billing", "shipping", "shipping", "billing"], start=1)
    ]
    assert primary(acme, "is_primary_billing") == ["_Test Address 1 Title"]  # its first
    assert primary(acme, "is_primary_shipping") == ["_Test Address 3 Title"]  # marked so
    assert primary(vendor, "is_primary_shipping") == ["_Test Address 4 Title"]


@pytest.fixture
def addresses_target(monkeypatch):
    monkeypatch.setitem(TARGETS, "addresses", ADDRESSES)
    return ADDRESSES


def test_the_page_imports_addresses_from_the_template(role_client, company, addresses_target):
    customer = CustomerFactory(code="CUST-EXAMPLE", company=company)
    clerk = role_client("Sales User")
    template = clerk.get(reverse("dataimport:template"), {"target": "addresses", "format": "csv"})
    data = {
        "target": "addresses",
        "file": SimpleUploadedFile("addresses.csv", template.content),
        "mode": "insert",
        "encoding": "",
        "delimiter": "",
    }
    preview = clerk.post(reverse("dataimport:start"), data).context["preview"]
    assert preview.problem_count == 0 and preview.plan.counts.new == 1

    response = clerk.post(reverse("dataimport:log", args=[preview.log.pk]))

    assert response.status_code == 302
    link = AddressLink.objects.get(customer=customer)
    assert (link.address.title, link.is_primary_billing) == ("Head office", True)
    result = clerk.get(response["Location"])
    assert result.context["links"] == [
        ("CUST-EXAMPLE: Head office", reverse("crm:customer_detail", args=[customer.pk]))
    ]
