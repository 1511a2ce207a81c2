"""The invoice list: search, filters, status, sorting, totals, paging and its query count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from invoicing.models import SalesInvoice
from invoicing.services import Allocation, cancel_invoice
from tests.factories import CustomerFactory, PaymentFactory
from tests.invoicing.helpers import draft, submitted

pytestmark = pytest.mark.django_db

LIST = reverse("invoicing:invoice_list")
TODAY = timezone.localdate()


@pytest.fixture
def reader(role_client):
    return role_client("Sales User")


def numbers(response):
    return [invoice.number or f"draft {invoice.pk}" for invoice in response.context["page_obj"]]


@pytest.fixture
def one_of_each(customer, widget):
    """An invoice in each status, by status."""
    recent = {"posting_date": TODAY}
    part, paid = submitted(customer, widget, **recent), submitted(customer, widget, **recent)
    PaymentFactory(
        customer=customer,
        amount=Decimal("14"),
        allocations=[Allocation(part, Decimal("4")), Allocation(paid, Decimal("10"))],
    )
    return {
        "Draft": draft(customer, widget, posting_date=TODAY),
        "Submitted": submitted(customer, widget, **recent),
        "Partly Paid": part,
        "Paid": paid,
        "Overdue": submitted(customer, widget, posting_date=TODAY - timedelta(days=40)),
        "Cancelled": cancel_invoice(invoice=submitted(customer, widget, **recent), user=None),
    }


STATUSES = {
    "draft": "Draft",
    "submitted": "Submitted",
    "partly_paid": "Partly Paid",
    "paid": "Paid",
    "overdue": "Overdue",
    "cancelled": "Cancelled",
}


@pytest.mark.parametrize(("status", "label"), STATUSES.items())
def test_the_status_filter_finds_what_the_badge_says(reader, one_of_each, status, label):
    response = reader.get(LIST, {"status": status})

    found = list(response.context["page_obj"])
    assert [invoice.pk for invoice in found] == [one_of_each[label].pk]
    assert found[0].status_on(TODAY) == label
    assert f'data-status="{label}"' in response.content.decode()


def test_unpaid_is_submitted_partly_paid_and_overdue(reader, one_of_each):
    found = {invoice.pk for invoice in reader.get(LIST, {"status": "unpaid"}).context["page_obj"]}
    assert found == {one_of_each[label].pk for label in ("Submitted", "Partly Paid", "Overdue")}


def test_rows_show_number_customer_dates_amounts_and_status(reader, customer, widget):
    invoice = submitted(customer, widget, quantity="3", posting_date=TODAY)
    html = reader.get(LIST, {"company": customer.company.pk}).content.decode()
    assert invoice.number in html
    assert reverse("crm:customer_detail", args=[customer.pk]) in html
    assert customer.code in html and "DT" in html
    assert TODAY.isoformat() in html
    assert '<td class="amount">30.00</td>' in html
    assert 'data-status="Submitted"' in html


def test_a_filtered_list_is_counted_and_totalled_in_one_query(reader, customer, widget):
    submitted(customer, widget, quantity="3")
    invoice = submitted(customer, widget, quantity="2")
    PaymentFactory(
        customer=customer, amount=Decimal("5"), allocations=[Allocation(invoice, Decimal("5"))]
    )
    with CaptureQueriesContext(connection) as queries:
        response = reader.get(LIST, {"company": customer.company.pk})

    assert response.context["totals"] == {
        "count": 2,
        "total": Decimal("50.00"),
        "outstanding": Decimal("45.00"),
    }
    html = response.content.decode()
    assert '<td class="amount" data-total>50.00</td>' in html
    assert '<td class="amount" data-outstanding>45.00</td>' in html
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1 and "SUM(" in counts[0].upper()


def test_the_unfiltered_list_is_neither_counted_nor_totalled(reader, customer, widget):
    for _ in range(3):
        submitted(customer, widget)
    with CaptureQueriesContext(connection) as queries:
        response = reader.get(LIST)

    assert len(response.context["page_obj"].object_list) == 3
    assert response.context["totals"] is None
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert "Search or filter to see how many" in response.content.decode()


def test_search_by_number_customer_name_or_code(reader, company, widget):
    acme = CustomerFactory(name="Acme Tools", company=company)
    other = CustomerFactory(name="Other", company=company)
    first = submitted(acme, widget)
    second = submitted(other, widget)

    assert numbers(reader.get(LIST, {"q": second.number.lower()})) == [second.number]
    assert numbers(reader.get(LIST, {"q": "acme"})) == [first.number]
    assert numbers(reader.get(LIST, {"q": other.code})) == [second.number]
    assert numbers(reader.get(LIST, {"q": "nobody"})) == []


def test_filters_by_customer_company_and_posting_dates(
    reader, customer, other_company, widget, price_list
):
    early = submitted(customer, widget, posting_date=TODAY - timedelta(days=10))
    late = submitted(customer, widget, posting_date=TODAY)
    other = CustomerFactory(company=other_company)
    other_company.default_selling_price_list = price_list
    other_company.save()
    elsewhere = submitted(other, widget, posting_date=TODAY)

    by_customer = reader.get(LIST, {"customer": customer.pk})
    assert numbers(by_customer) == [late.number, early.number]
    assert f'Invoices of <a href="{reverse("crm:customer_detail", args=[customer.pk])}"' in (
        by_customer.content.decode()
    )
    assert numbers(reader.get(LIST, {"company": other_company.pk})) == [elsewhere.number]
    dates = {"posted_from": (TODAY - timedelta(days=11)).isoformat()}
    dates["posted_to"] = (TODAY - timedelta(days=1)).isoformat()
    assert numbers(reader.get(LIST, dates)) == [early.number]


def test_dates_the_wrong_way_round_are_an_error(reader, customer, widget):
    submitted(customer, widget)
    response = reader.get(LIST, {"posted_from": "2026-05-01", "posted_to": "2026-04-01"})
    assert "is before 2026-05-01; swap the dates." in response.content.decode()
    assert not response.context["page_obj"].object_list


def test_sorting_by_a_column_and_back(reader, customer, widget):
    small = submitted(customer, widget, quantity="1")
    large = submitted(customer, widget, quantity="5")
    middle = submitted(customer, widget, quantity="3")

    ascending = reader.get(LIST, {"sort": "total"})
    descending = reader.get(LIST, {"sort": "-total"})

    assert numbers(ascending) == [small.number, middle.number, large.number]
    assert numbers(descending) == [large.number, middle.number, small.number]
    assert ascending.context["sort_headers"]["total"].query == "sort=-total"
    assert numbers(reader.get(LIST, {"sort": "nonsense"})) == [
        middle.number,
        large.number,
        small.number,
    ]


def test_paging_a_filtered_and_an_unfiltered_list(reader, customer, widget):
    first = draft(customer, widget)
    SalesInvoice.objects.bulk_create(
        SalesInvoice(
            company=first.company,
            customer=customer,
            posting_date=first.posting_date,
            due_date=first.due_date,
            currency="EUR",
        )
        for _ in range(54)
    )

    counted = reader.get(LIST, {"status": "draft", "page": 2})
    uncounted = reader.get(LIST, {"page": 2})

    assert len(counted.context["page_obj"].object_list) == 5
    assert "Page 2 of 2" in counted.content.decode()
    assert len(uncounted.context["page_obj"].object_list) == 5
    assert not uncounted.context["page_obj"].has_next
    assert "Page 2<" in uncounted.content.decode()
    assert reader.get(LIST, {"page": "x"}).context["page_obj"].number == 1


@pytest.mark.parametrize("query", [{}, {"status": "unpaid", "q": "acme", "sort": "due_date"}])
def test_the_list_costs_the_same_queries_for_many_rows(
    reader, company, widget, django_assert_max_num_queries, query
):
    acme = CustomerFactory(name="Acme", company=company)
    submitted(acme, widget)
    with CaptureQueriesContext(connection) as one_row:
        reader.get(LIST, query)
    for number in range(20):
        submitted(CustomerFactory(name=f"Acme {number}", company=company), widget)
    with django_assert_max_num_queries(len(one_row.captured_queries)):
        response = reader.get(LIST, query)
    assert len(response.context["page_obj"].object_list) == 21
