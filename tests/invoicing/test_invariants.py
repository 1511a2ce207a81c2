"""Whatever invoices are raised, submitted and cancelled, the books stay consistent."""

import contextlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import GLEntry
from crm.selectors import ledgers_annotated_with_balance
from invoicing.selectors import submitted_outstanding
from invoicing.services import cancel_invoice, create_draft_invoice, submit_invoice
from pricing.models import Item
from tests.factories import CustomerFactory
from tests.invoicing.helpers import POSTING_DATE

pytestmark = pytest.mark.django_db

CUSTOMERS = 3
create = st.tuples(
    st.just("create"),
    st.integers(0, CUSTOMERS - 1),
    st.integers(0, 1),  # which company raises it
    st.decimals("0.01", "500", places=2),
)
act = st.tuples(st.sampled_from(["submit", "cancel"]), st.integers(0, 20))
steps = st.lists(st.one_of(create, act), max_size=12)


class Rollback(Exception):
    """Raised at the end of an example so its writes are undone."""


@pytest.fixture
def world(company, other_company):
    customers = [
        CustomerFactory(company=company, credit_limit=Decimal("600") if n == 0 else None)
        for n in range(CUSTOMERS)
    ]
    return [company, other_company], customers, Item.objects.create(code="ANY", name="Any")


def run(step, companies, customers, item, invoices):
    if step[0] == "create":
        _, who, which, rate = step
        invoices.append(
            create_draft_invoice(
                company=companies[which],
                customer=customers[who],
                posting_date=POSTING_DATE,
                lines=[(item, "1", rate)],
            )
        )
    elif invoices:
        verb, index = step
        service = submit_invoice if verb == "submit" else cancel_invoice
        service(invoice=invoices[index % len(invoices)], user=None)


def assert_books_consistent():
    journals = (
        GLEntry.objects.values("journal_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    assert all(round(row["debit"] - row["credit"], 2) == 0 for row in journals)
    ledgers = ledgers_annotated_with_balance().filter(customer__isnull=False)
    ledger_total = sum((ledger.balance for ledger in ledgers), Decimal(0))
    assert round(ledger_total, 2) == submitted_outstanding()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_journals_balance_and_ledgers_match_the_outstanding_of_submitted_invoices(world, steps):
    companies, customers, item = world
    with contextlib.suppress(Rollback), transaction.atomic():
        invoices = []
        for step in steps:
            with contextlib.suppress(ValidationError):  # a refusal changes nothing
                run(step, companies, customers, item, invoices)
            assert_books_consistent()
        raise Rollback
