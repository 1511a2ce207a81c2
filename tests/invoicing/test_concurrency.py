"""Races on PostgreSQL: submits for one customer take turns, so a limit cannot be crossed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crm.selectors import customer_outstanding
from invoicing.models import SalesInvoice
from invoicing.services import submit_invoice
from pricing.models import Item
from tests.factories import CompanyFactory, CustomerFactory
from tests.helpers import requires_postgresql, run_concurrently
from tests.invoicing.helpers import draft

pytestmark = [requires_postgresql, pytest.mark.usefixtures("migrated_rows")]


def test_two_submits_that_together_cross_the_limit_let_exactly_one_through():
    company = CompanyFactory(abbreviation="RC")
    customer = CustomerFactory(name="Racer", company=company, credit_limit=Decimal("10000"))
    item = Item.objects.create(code="RACE", name="Race")
    invoices = [draft(customer, item, rate="6000") for _ in range(2)]

    results, errors = run_concurrently(
        lambda i: submit_invoice(invoice=invoices[i], user=None).number, threads=2
    )

    assert sorted(map(bool, results)) == [False, True]
    refusals = [error for error in errors if error is not None]
    assert len(refusals) == 1 and isinstance(refusals[0], ValidationError)
    assert "outstanding 6,000.00 + this invoice 6,000.00 > limit 10,000.00" in str(refusals[0])
    assert SalesInvoice.objects.filter(docstatus="submitted").count() == 1
    assert customer_outstanding(customer=customer, company=company) == Decimal("6000.00")


def test_concurrent_submits_get_consecutive_numbers_without_gaps():
    company = CompanyFactory(abbreviation="NC")
    customers = [CustomerFactory(company=company) for _ in range(4)]
    item = Item.objects.create(code="RACE", name="Race")
    invoices = [draft(customer, item, rate="10") for customer in customers]

    results, errors = run_concurrently(
        lambda i: submit_invoice(invoice=invoices[i], user=None).number, threads=4
    )

    assert errors == [None] * 4
    assert sorted(results) == [f"SINV-NC-2026-{n:05d}" for n in range(1, 5)]
