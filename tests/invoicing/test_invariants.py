"""Whatever invoices and payments are raised, submitted and cancelled, the books stay
consistent: every journal balances, the ledgers add up to what invoices still await less the
advances, every invoice's outstanding is its total less what live payments allocated to it,
and no posted entry ever changes."""

import contextlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account, GLEntry
from crm.selectors import ledgers_annotated_with_balance
from invoicing.models import Payment, SalesInvoice
from invoicing.selectors import submitted_outstanding
from invoicing.services import (
    allocate_oldest_first,
    cancel_invoice,
    cancel_payment,
    create_draft_invoice,
    receive_payment,
    submit_invoice,
)
from pricing.models import Item
from tests.factories import CustomerFactory
from tests.invoicing.helpers import POSTING_DATE

pytestmark = pytest.mark.django_db

CUSTOMERS = 3
who = st.integers(0, CUSTOMERS - 1)
which_company = st.integers(0, 1)
money = st.decimals("0.01", "500", places=2)
create = st.tuples(st.just("create"), who, which_company, money)
act = st.tuples(st.sampled_from(["submit", "cancel"]), st.integers(0, 20))
pay = st.tuples(st.just("pay"), st.integers(0, 20), money)  # from the nth invoice's customer
cancel_pay = st.tuples(st.just("cancel_payment"), st.integers(0, 20))
steps = st.lists(st.one_of(create, act, pay, cancel_pay), max_size=16)


class Rollback(Exception):
    """Raised at the end of an example so its writes are undone."""


@pytest.fixture
def world(company, other_company):
    customers = [
        CustomerFactory(company=company, credit_limit=Decimal("600") if n == 0 else None)
        for n in range(CUSTOMERS)
    ]
    return [company, other_company], customers, Item.objects.create(code="ANY", name="Any")


class Books:
    def __init__(self, companies, customers, item):
        self.companies, self.customers, self.item = companies, customers, item
        self.invoices, self.payments = [], []

    def run(self, step):
        verb = step[0]
        if verb == "create":
            self.create(*step[1:])
        elif verb == "pay":
            self.pay(*step[1:])
        elif verb == "cancel_payment" and self.payments:
            cancel_payment(payment=self.payments[step[1] % len(self.payments)], user=None)
        elif verb in ("submit", "cancel") and self.invoices:
            service = submit_invoice if verb == "submit" else cancel_invoice
            service(invoice=self.invoices[step[1] % len(self.invoices)], user=None)

    def create(self, who, which, rate):
        self.invoices.append(
            create_draft_invoice(
                company=self.companies[which],
                customer=self.customers[who],
                posting_date=POSTING_DATE,
                lines=[(self.item, "1", rate)],
            )
        )

    def pay(self, index, amount):
        if not self.invoices:
            return
        invoice = self.invoices[index % len(self.invoices)]
        company, customer = invoice.company, invoice.customer
        open_invoices = SalesInvoice.objects.filter(
            company=company, customer=customer, docstatus="submitted", outstanding__gt=0
        )
        self.payments.append(
            receive_payment(
                company=company,
                customer=customer,
                posting_date=POSTING_DATE,
                amount=amount,
                paid_to=Account.objects.get(company=company, account_type="cash"),
                allocations=allocate_oldest_first(amount=amount, invoices=open_invoices),
            )
        )


def posted_entries():
    return {
        entry.pk: (entry.journal_id, entry.account_id, entry.debit, entry.credit)
        for entry in GLEntry.objects.all()
    }


def assert_books_consistent():
    journals = (
        GLEntry.objects.values("journal_id")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        .order_by()
    )
    assert all(round(row["debit"] - row["credit"], 2) == 0 for row in journals)
    ledgers = ledgers_annotated_with_balance().filter(customer__isnull=False)
    ledger_total = sum((ledger.balance for ledger in ledgers), Decimal(0))
    advances = Payment.objects.filter(docstatus="submitted").aggregate(total=Sum("unallocated"))[
        "total"
    ] or Decimal(0)
    assert round(ledger_total, 2) == round(submitted_outstanding() - advances, 2)
    live = Q(allocations__payment__docstatus="submitted")
    for invoice in SalesInvoice.objects.filter(docstatus="submitted").annotate(
        paid=Sum("allocations__amount", filter=live)
    ):
        assert round(invoice.total - (invoice.paid or 0), 2) == round(invoice.outstanding, 2)


def assert_nothing_posted_changed(before, after):
    assert {pk: after.get(pk) for pk in before} == before


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_the_books_stay_consistent_through_invoices_payments_and_cancels(world, steps):
    books = Books(*world)
    with contextlib.suppress(Rollback), transaction.atomic():
        for step in steps:
            before = posted_entries()
            with contextlib.suppress(ValidationError):  # a refusal changes nothing
                books.run(step)
            assert_books_consistent()
            assert_nothing_posted_changed(before, posted_entries())
        raise Rollback
