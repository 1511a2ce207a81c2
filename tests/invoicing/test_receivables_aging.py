"""Accounts receivable aging: buckets by days past due, advances, filters, totals, the page
and its CSV, checked against figures worked out by hand."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Account
from crm.models import CustomerGroup, Territory
from invoicing.receivables import AGING_AMOUNTS, aging, aging_totals
from invoicing.services import Allocation, cancel_invoice, cancel_payment, receive_payment
from tests.factories import CustomerFactory
from tests.invoicing.helpers import submitted

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 6, 30)
D = Decimal


def invoice(customer, amount, due, *, item, company=None):
    """A submitted invoice due on `due`: without credit terms it is due on its posting date."""
    return submitted(customer, item, "1", amount, posting_date=due, company=company)


def pay(customer, amount, *allocations, company=None, posting_date=AS_OF):
    company = company or customer.company
    return receive_payment(
        company=company,
        customer=customer,
        posting_date=posting_date,
        amount=D(amount),
        paid_to=Account.objects.get(company=company, account_type=Account.Type.BANK),
        allocations=[Allocation(inv, D(share)) for inv, share in allocations],
    )


def node(model, name, parent, *, is_group=False):
    return model.objects.create(name=name, parent=parent, is_group=is_group)


@pytest.fixture
def trees():
    """Three levels of customer groups and territories under the roots."""
    groups_root = CustomerGroup.objects.get(name="All Customer Groups")
    wholesale = node(CustomerGroup, "Wholesale", groups_root, is_group=True)
    regional = node(CustomerGroup, "Regional", wholesale, is_group=True)
    territories_root = Territory.objects.get(name="All Territories")
    europe = node(Territory, "Europe", territories_root, is_group=True)
    germany = node(Territory, "Germany", europe, is_group=True)
    return {
        "wholesale": wholesale,
        "regional": regional,
        "local": node(CustomerGroup, "Local", regional),
        "direct": node(CustomerGroup, "Direct", wholesale),
        "europe": europe,
        "germany": germany,
        "berlin": node(Territory, "Berlin", germany),
        "france": node(Territory, "France", europe),
    }


@pytest.fixture
def ledger(company, other_company, customer, widget, trees):
    """The fixed data set; the expected rows below are worked out from it by hand.

    Acme (Commercial, Rest of the World): an invoice on each side of every bucket boundary,
    one part-paid, one paid, one cancelled, a payment cancelled, an advance of 1,000, and an
    invoice in the other company. Bolt (Wholesale > Regional > Local, Europe > Germany >
    Berlin): one invoice 15 days overdue. Cleo (Wholesale > Direct, Europe > France): only
    an advance. Dora: everything paid, so no row.
    """
    on = {days: AS_OF - timedelta(days=days) for days in (-1, 0, 15, 29, 30, 31, 60, 61, 90, 91)}
    acme = customer
    invoice(acme, "100", on[-1], item=widget)  # not yet due
    invoice(acme, "200", on[0], item=widget)  # 0-30
    part_paid = invoice(acme, "400", on[30], item=widget)  # 0-30, 250 left
    invoice(acme, "800", on[31], item=widget)  # 31-60
    invoice(acme, "1600", on[60], item=widget)  # 31-60
    invoice(acme, "3200", on[61], item=widget)  # 61-90
    invoice(acme, "6400", on[90], item=widget)  # 61-90
    oldest = invoice(acme, "12800", on[91], item=widget)  # 90+
    paid = invoice(acme, "300", on[91], item=widget)
    cancel_invoice(invoice=invoice(acme, "5000", on[91], item=widget), user=None)
    pay(acme, "450", (part_paid, "150"), (paid, "300"))
    cancel_payment(payment=pay(acme, "500", (oldest, "500")), user=None)
    pay(acme, "1000")  # an advance
    invoice(acme, "700", on[29], item=widget, company=other_company)

    bolt = CustomerFactory(
        name="Bolt", company=company, customer_group=trees["local"], territory=trees["berlin"]
    )
    invoice(bolt, "500", on[15], item=widget)
    cleo = CustomerFactory(
        name="Cleo", company=company, customer_group=trees["direct"], territory=trees["france"]
    )
    pay(cleo, "250")
    dora = CustomerFactory(name="Dora", company=company)
    pay(dora, "90", (invoice(dora, "90", on[30], item=widget), "90"))
    return {"acme": acme, "bolt": bolt, "cleo": cleo, "dora": dora}


#           not due, 0-30,   31-60,   61-90,   90+,       advances,  total
ACME = [D("100"), D("450"), D("2400"), D("9600"), D("12800"), D("-1000"), D("24350")]
BOLT = [D("0"), D("500"), D("0"), D("0"), D("0"), D("0"), D("500")]
CLEO = [D("0"), D("0"), D("0"), D("0"), D("0"), D("-250"), D("-250")]
TOTALS = [D("100"), D("950"), D("2400"), D("9600"), D("12800"), D("-1250"), D("24600")]


def amounts(row):
    return [round(row[key], 2) for key in AGING_AMOUNTS]


def rows_of(company, **options):
    return {row["name"]: amounts(row) for row in aging(company=company, as_of=AS_OF, **options)}


# --- the query ----------------------------------------------------------------------------


def test_each_customer_with_open_items_gets_one_row_of_buckets_advances_and_total(company, ledger):
    assert rows_of(company) == {"Acme": ACME, "Bolt": BOLT, "Cleo": CLEO}


def test_the_other_company_has_its_own_aging(other_company, ledger):
    assert rows_of(other_company) == {"Acme": [0, 700, 0, 0, 0, 0, 700]}


def test_rows_carry_the_customer(company, ledger):
    row = next(row for row in aging(company=company, as_of=AS_OF) if row["name"] == "Bolt")
    assert row["customer_id"] == ledger["bolt"].pk
    assert row["code"] == ledger["bolt"].code


@pytest.mark.parametrize(
    ("days_past_due", "bucket"),
    [
        (-1, "not_due"),
        (0, "days_0_30"),
        (30, "days_0_30"),
        (31, "days_31_60"),
        (60, "days_31_60"),
        (61, "days_61_90"),
        (90, "days_61_90"),
        (91, "days_over_90"),
        (400, "days_over_90"),
    ],
)
def test_an_invoice_falls_in_the_bucket_of_its_days_past_due(
    company, customer, widget, days_past_due, bucket
):
    due = date(2026, 3, 10)
    invoice(customer, "42", due, item=widget)
    [row] = aging(company=company, as_of=due + timedelta(days=days_past_due))
    assert {key: row[key] for key in AGING_AMOUNTS if row[key]} == {
        bucket: D("42.00"),
        "total": D("42.00"),
    }


def test_a_customer_group_stands_for_every_group_below_it(company, ledger, trees):
    assert set(rows_of(company, customer_group=trees["wholesale"])) == {"Bolt", "Cleo"}
    assert set(rows_of(company, customer_group=trees["regional"])) == {"Bolt"}
    assert set(rows_of(company, customer_group=trees["local"])) == {"Bolt"}
    root = CustomerGroup.objects.get(name="All Customer Groups")
    assert set(rows_of(company, customer_group=root)) == {"Acme", "Bolt", "Cleo"}


def test_a_territory_stands_for_every_territory_below_it(company, ledger, trees):
    assert set(rows_of(company, territory=trees["europe"])) == {"Bolt", "Cleo"}
    assert set(rows_of(company, territory=trees["germany"])) == {"Bolt"}
    assert set(rows_of(company, territory=trees["france"])) == {"Cleo"}
    assert rows_of(company, territory=trees["europe"], customer_group=trees["regional"]) == {
        "Bolt": BOLT
    }


def test_the_totals_cover_every_row(company, ledger, trees):
    totals = aging_totals(company=company, as_of=AS_OF)
    assert [round(totals[key], 2) for key in AGING_AMOUNTS] == TOTALS
    assert totals["customers"] == 3
    europe = aging_totals(company=company, as_of=AS_OF, territory=trees["europe"])
    assert [round(europe[key], 2) for key in AGING_AMOUNTS] == [0, 500, 0, 0, 0, -250, 250]
    assert europe["customers"] == 2


def test_the_totals_of_a_company_without_open_items_are_zero(other_company):
    totals = aging_totals(company=other_company, as_of=AS_OF)
    assert totals["customers"] == 0
    assert all(totals[key] == 0 for key in AGING_AMOUNTS)


@pytest.mark.parametrize(
    ("order", "names"),
    [
        ("-total", ["Acme", "Bolt", "Cleo"]),
        ("total", ["Cleo", "Bolt", "Acme"]),
        ("customer", ["Acme", "Bolt", "Cleo"]),
        ("-customer", ["Cleo", "Bolt", "Acme"]),
        ("-days_0_30", ["Bolt", "Acme", "Cleo"]),
        ("advances", ["Acme", "Cleo", "Bolt"]),
        ("-days_over_90", ["Acme", "Bolt", "Cleo"]),  # ties keep A to Z
    ],
)
def test_rows_sort_by_any_column(company, ledger, order, names):
    assert [row["name"] for row in aging(company=company, as_of=AS_OF, order=order)] == names


def test_the_rows_are_one_query(company, ledger, trees):
    with CaptureQueriesContext(connection) as queries:
        list(aging(company=company, as_of=AS_OF, customer_group=trees["wholesale"]))
    assert len(queries) == 1


def test_postgresql_runs_without_the_jit_compiler(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


# --- the page -----------------------------------------------------------------------------


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: AS_OF)
    return AS_OF


def page(client, **params):
    return client.get(reverse("invoicing:aging"), params)


def test_the_page_shows_the_rows_and_totals_of_the_first_company(
    role_client, company, other_company, ledger, today
):
    response = page(role_client("Sales User"))
    assert response.status_code == 200
    assert response.context["form"].cleaned_data["company"] == company  # first by name
    rows = response.context["page_obj"].object_list
    assert [(row["name"], amounts(row)) for row in rows] == [
        ("Acme", ACME),
        ("Bolt", BOLT),
        ("Cleo", CLEO),
    ]
    assert [round(amount, 2) for amount in response.context["totals"]] == TOTALS
    html = response.content.decode()
    assert "3 customers with open items" in html
    assert "24,600.00" in html  # the grand total
    assert "-1,250.00" in html  # the advances, negative
    assert f'href="{reverse("crm:customer_detail", args=[ledger["bolt"].pk])}"' in html


def test_the_page_filters_by_company_group_and_territory(
    role_client, other_company, ledger, trees, today
):
    client = role_client("Accounts User")
    rows = page(client, company=other_company.pk).context["page_obj"].object_list
    assert [row["name"] for row in rows] == ["Acme"]
    response = page(client, customer_group=trees["wholesale"].pk, territory=trees["germany"].pk)
    assert [row["name"] for row in response.context["page_obj"].object_list] == ["Bolt"]
    assert "Europe › Germany" in response.content.decode()


def test_the_page_sorts_by_a_column_and_turns_it_round(role_client, ledger, today):
    client = role_client("Sales User")
    response = page(client, sort="customer")
    assert [row["name"] for row in response.context["page_obj"].object_list] == [
        "Acme",
        "Bolt",
        "Cleo",
    ]
    headers = response.context["sort_headers"]
    assert "sort=-customer" in headers["customer"].query
    assert headers["customer"].arrow == "▲"
    assert "sort=-total" in headers["total"].query  # amounts: largest first
    response = page(client, sort="nonsense")
    assert response.context["form"].cleaned_data["sort"] == "-total"


def test_the_page_is_paginated_and_its_totals_cover_every_page(role_client, company, widget, today):
    for n in range(53):
        invoice(CustomerFactory(name=f"Many {n:02d}", company=company), "10", AS_OF, item=widget)
    client = role_client("Sales User")
    first = page(client)
    assert len(first.context["page_obj"].object_list) == 50
    assert first.context["page_obj"].paginator.num_pages == 2
    assert round(first.context["totals"][-1], 2) == D("530.00")
    second = page(client, page=2)
    assert len(second.context["page_obj"].object_list) == 3


def test_a_wrong_choice_is_shown_on_the_form_not_a_500(role_client, ledger, today):
    response = page(role_client("Sales User"), company="999999", customer_group="x")
    assert response.status_code == 200
    form = response.context["form"]
    assert "company" in form.errors and "customer_group" in form.errors
    assert "Fix the choices above" in response.content.decode()


def test_a_site_without_companies_gets_an_empty_form(role_client, db, today):
    response = page(role_client("Sales User"))
    assert response.status_code == 200
    assert "company" in response.context["form"].errors


def test_the_page_costs_the_same_queries_however_many_rows(
    role_client, company, ledger, widget, today, django_assert_max_num_queries
):
    client = role_client("Sales User")
    with django_assert_max_num_queries(20) as few:
        page(client)
    for n in range(20):
        invoice(CustomerFactory(name=f"More {n}", company=company), "10", AS_OF, item=widget)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(page(client).context["page_obj"].object_list) == 23


def test_the_page_needs_the_right_to_see_invoices(client, django_user_model, ledger):
    user = django_user_model.objects.create_user("nobody")
    client.force_login(user)
    assert page(client).status_code == 403


# --- the CSV ------------------------------------------------------------------------------


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_has_every_row_in_the_page_order(role_client, company, ledger, today):
    response = role_client("Sales User").get(reverse("invoicing:aging_csv"))
    assert response["Content-Disposition"] == 'attachment; filename="aging-DT-20260630.csv"'
    acme, bolt, cleo = ledger["acme"], ledger["bolt"], ledger["cleo"]
    assert csv_rows(response) == [
        [
            "Customer code",
            "Customer",
            "Not yet due",
            "0-30",
            "31-60",
            "61-90",
            "90+",
            "Advances",
            "Total",
        ],
        [
            acme.code,
            "Acme",
            "100.00",
            "450.00",
            "2400.00",
            "9600.00",
            "12800.00",
            "-1000.00",
            "24350.00",
        ],
        [bolt.code, "Bolt", "0.00", "500.00", "0.00", "0.00", "0.00", "0.00", "500.00"],
        [cleo.code, "Cleo", "0.00", "0.00", "0.00", "0.00", "0.00", "-250.00", "-250.00"],
    ]


def test_the_csv_follows_the_filters_and_sort(role_client, ledger, trees, today):
    response = role_client("Sales User").get(
        reverse("invoicing:aging_csv"), {"customer_group": trees["wholesale"].pk, "sort": "total"}
    )
    assert [row[1] for row in csv_rows(response)[1:]] == ["Cleo", "Bolt"]


def test_the_csv_of_a_wrong_choice_sends_back_to_the_page(role_client, ledger, today):
    response = role_client("Sales User").get(reverse("invoicing:aging_csv"), {"company": "x"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('invoicing:aging')}?company=x"
