"""Races on PostgreSQL: refreshes of the summaries after concurrent commits take turns."""

from datetime import date
from decimal import Decimal

import pytest

from analytics.models import CustomerOpenAmount, OpenAmountByDueDate, SalesFact
from invoicing.services import submit_invoice
from pricing.models import Item
from tests.factories import CompanyFactory, CustomerFactory
from tests.helpers import requires_postgresql, run_concurrently
from tests.invoicing.helpers import draft

pytestmark = [requires_postgresql, pytest.mark.usefixtures("migrated_rows")]

DAY = date(2026, 3, 10)


def test_submits_due_the_same_day_all_reach_the_day_total():
    company = CompanyFactory(abbreviation="SR")
    customers = [CustomerFactory(company=company) for _ in range(4)]
    item = Item.objects.create(code="RACE", name="Race")
    invoices = [draft(customer, item, rate="25", posting_date=DAY) for customer in customers]

    _, errors = run_concurrently(
        lambda i: submit_invoice(invoice=invoices[i], user=None).number, threads=4
    )

    assert errors == [None] * 4
    day = OpenAmountByDueDate.objects.get(company=company, due_date=DAY)
    assert day.outstanding == Decimal(100)
    assert SalesFact.objects.filter(company=company).count() == 4
    assert CustomerOpenAmount.objects.filter(company=company).count() == 4


def test_two_submits_of_one_customer_leave_one_open_amount():
    company = CompanyFactory(abbreviation="SO")
    customer = CustomerFactory(company=company)
    item = Item.objects.create(code="RACE", name="Race")
    invoices = [draft(customer, item, rate="40", posting_date=DAY) for _ in range(2)]

    _, errors = run_concurrently(
        lambda i: submit_invoice(invoice=invoices[i], user=None).number, threads=2
    )

    assert errors == [None, None]
    assert CustomerOpenAmount.objects.get(customer=customer).outstanding == Decimal(80)
