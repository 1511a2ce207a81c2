"""Receiving payments: allocations settle invoices, the rest is an advance, cancel reverses."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from accounts.models import Account, GLEntry, NamingSeries
from crm.selectors import customer_outstanding
from invoicing.models import Payment, PaymentAllocation, SalesInvoice
from invoicing.services import (
    Allocation,
    allocate_advance,
    allocate_oldest_first,
    cancel_invoice,
    cancel_payment,
    receive_payment,
)
from tests.factories import CustomerFactory, UserFactory
from tests.invoicing.helpers import POSTING_DATE, draft, submitted

pytestmark = pytest.mark.django_db


def cash(company):
    return Account.objects.get(company=company, account_type=Account.Type.CASH)


def bank(company):
    return Account.objects.get(company=company, account_type=Account.Type.BANK)


def pay(customer, amount, *allocations, company=None, paid_to=None, user=None):
    company = company or customer.company
    return receive_payment(
        company=company,
        customer=customer,
        posting_date=POSTING_DATE,
        amount=amount,
        paid_to=paid_to or bank(company),
        allocations=[Allocation(invoice, share) for invoice, share in allocations],
        user=user,
    )


def balance(customer, company=None):
    return round(customer_outstanding(customer=customer, company=company or customer.company), 2)


def refreshed(invoice):
    invoice.refresh_from_db()
    return invoice


def written():
    return (Payment.objects.count(), PaymentAllocation.objects.count(), GLEntry.objects.count())


def test_a_full_payment_posts_bank_against_the_ledger_and_marks_the_invoice_paid(customer, widget):
    invoice = submitted(customer, widget, quantity="3")
    clerk = UserFactory(roles=["Accounts User"])

    payment = pay(customer, "30", (invoice, "30"), user=clerk)

    assert payment.number == "PAY-DT-2026-00001"
    assert round(payment.unallocated, 2) == 0
    assert refreshed(invoice).outstanding == 0
    assert invoice.status_on(POSTING_DATE) == "Paid"
    lines = {line.account: (line.debit, line.credit) for line in payment.journal.lines.all()}
    ledger = customer.ledgers.get(company=customer.company).account
    assert lines == {bank(customer.company): (30, 0), ledger: (0, 30)}
    assert payment.journal.voucher_type == "Payment"
    assert payment.journal.created_by == clerk
    assert balance(customer) == 0


def test_a_part_payment_leaves_the_invoice_partly_paid(customer, widget):
    invoice = submitted(customer, widget, quantity="3")

    pay(customer, "12.50", (invoice, "12.50"))

    assert round(refreshed(invoice).outstanding, 2) == Decimal("17.50")
    assert invoice.status_on(POSTING_DATE) == "Partly Paid"
    assert balance(customer) == Decimal("17.50")


def test_what_is_not_allocated_stays_on_the_ledger_as_an_advance(customer, widget):
    invoice = submitted(customer, widget)

    payment = pay(customer, "25", (invoice, "10"))

    assert round(payment.unallocated, 2) == Decimal("15.00")
    assert round(payment.allocated, 2) == Decimal("10.00")
    assert balance(customer) == Decimal("-15.00")


def test_an_advance_can_be_set_against_a_later_invoice_without_posting(customer, widget):
    advance = pay(customer, "25")
    invoice = submitted(customer, widget, quantity="2")
    entries = GLEntry.objects.count()

    allocate_advance(payment=advance, allocations=[Allocation(invoice, "20")])

    advance.refresh_from_db()
    assert round(advance.unallocated, 2) == Decimal("5.00")
    assert refreshed(invoice).outstanding == 0
    assert GLEntry.objects.count() == entries
    assert balance(customer) == Decimal("-5.00")


def test_an_advance_cannot_be_allocated_beyond_what_is_left(customer, widget):
    advance = pay(customer, "5")
    invoice = submitted(customer, widget)

    with pytest.raises(ValidationError, match=r"has 5.00 left to allocate, not 6.00"):
        allocate_advance(payment=advance, allocations=[Allocation(invoice, "6")])
    assert round(refreshed(invoice).outstanding, 2) == Decimal("10.00")


def test_one_payment_can_settle_several_invoices(customer, widget, gadget):
    first, second = submitted(customer, widget), submitted(customer, gadget, quantity="4")

    payment = pay(customer, "20", (first, "10"), (second, "10"))

    assert refreshed(first).outstanding == refreshed(second).outstanding == 0
    assert payment.allocations.aggregate(total=Sum("amount"))["total"] == 20


def test_cancelling_a_payment_reverses_it_and_gives_the_invoices_their_outstanding_back(
    customer, widget
):
    invoice = submitted(customer, widget, quantity="3")
    payment = pay(customer, "40", (invoice, "30"))

    cancel_payment(payment=payment, user=None)

    payment.refresh_from_db()
    assert payment.docstatus == "cancelled"
    assert round(refreshed(invoice).outstanding, 2) == Decimal("30.00")
    assert payment.journal.is_cancelled
    assert balance(customer) == Decimal("30.00")
    with pytest.raises(ValidationError, match="already cancelled"):
        cancel_payment(payment=payment, user=None)


def test_an_invoice_with_payments_cannot_be_cancelled_until_they_are(customer, widget):
    invoice = submitted(customer, widget)
    payment = pay(customer, "4", (invoice, "4"))

    with pytest.raises(ValidationError, match="paid in part"):
        cancel_invoice(invoice=invoice, user=None)
    cancel_payment(payment=payment, user=None)
    cancel_invoice(invoice=refreshed(invoice), user=None)
    assert balance(customer) == 0


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "must be more than 0"),
        ("-5", "must be more than 0"),
        ("abc", "'abc' is not an amount of money"),
        ("NaN", "is not an amount of money"),
        ("1e30", "is not an amount of money"),
        ("1e16", "too large"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(customer, widget, amount, message):
    submitted(customer, widget)
    before = written()
    with pytest.raises(ValidationError, match=message):
        pay(customer, amount)
    assert written() == before


def test_floats_are_refused(customer):
    with pytest.raises(TypeError):
        pay(customer, 10.5)


def test_an_allocation_above_the_outstanding_is_refused(customer, widget):
    invoice = submitted(customer, widget)
    before = written()
    with pytest.raises(ValidationError, match=r"has 10.00 outstanding; 10.01 cannot be allocated"):
        pay(customer, "20", (invoice, "10.01"))
    with pytest.raises(ValidationError, match=r"11.00 cannot be allocated"):
        pay(customer, "20", (invoice, "4"), (invoice, "7"))  # the same invoice twice
    assert written() == before
    assert round(refreshed(invoice).outstanding, 2) == Decimal("10.00")


def test_allocations_above_the_payment_are_refused(customer, widget, gadget):
    first, second = submitted(customer, widget), submitted(customer, widget)
    before = written()
    with pytest.raises(ValidationError, match=r"allocations total 15.00, more than .* 12.00"):
        pay(customer, "12", (first, "10"), (second, "5"))
    assert written() == before


def test_an_invoice_of_another_customer_or_company_cannot_be_paid(customer, other_company, widget):
    stranger = CustomerFactory(company=customer.company)
    theirs = submitted(stranger, widget)
    elsewhere = submitted(customer, widget, rate="10", company=other_company)
    before = written()
    with pytest.raises(ValidationError, match="is not an invoice of"):
        pay(customer, "10", (theirs, "10"))
    with pytest.raises(ValidationError, match="is not an invoice of"):
        pay(customer, "10", (elsewhere, "10"))
    assert written() == before


def test_drafts_and_cancelled_invoices_cannot_be_paid(customer, widget):
    a_draft = draft(customer, widget)
    cancelled = cancel_invoice(invoice=submitted(customer, widget), user=None)
    with pytest.raises(ValidationError, match="is draft; only submitted invoices can be paid"):
        pay(customer, "10", (a_draft, "10"))
    with pytest.raises(ValidationError, match="is cancelled; only submitted"):
        pay(customer, "10", (cancelled, "10"))
    assert not Payment.objects.exists()


def test_money_goes_only_into_a_cash_or_bank_ledger_of_the_same_company(customer, other_company):
    income = customer.company.default_income_account
    with pytest.raises(ValidationError, match="is not a cash or bank ledger"):
        pay(customer, "10", paid_to=income)
    with pytest.raises(ValidationError, match="belongs to another company"):
        pay(customer, "10", paid_to=cash(other_company))
    assert not Payment.objects.exists()


def test_a_payment_in_another_company_opens_the_customers_ledger_there(customer, other_company):
    pay(customer, "10", company=other_company, paid_to=cash(other_company))

    assert balance(customer, other_company) == Decimal("-10.00")
    assert customer.ledgers.filter(company=other_company).exists()


def test_a_refused_payment_uses_no_number(customer, widget):
    invoice = submitted(customer, widget)
    with pytest.raises(ValidationError):
        pay(customer, "20", (invoice, "11"))
    assert not NamingSeries.objects.filter(prefix__startswith="PAY-").exclude(current=0).exists()
    assert pay(customer, "1").number == "PAY-DT-2026-00001"


def test_oldest_due_first_allocation_stops_at_the_amount(customer, widget):
    invoices = [submitted(customer, widget, quantity=str(n)) for n in (1, 2, 3)]
    later = POSTING_DATE + timedelta(days=30)
    SalesInvoice.objects.filter(pk__in=[invoices[0].pk, invoices[1].pk]).update(due_date=later)
    invoices = [refreshed(invoice) for invoice in invoices]

    allocations = allocate_oldest_first(amount="35", invoices=invoices)

    assert [(a.invoice, a.amount) for a in allocations] == [
        (invoices[2], Decimal("30.00")),
        (invoices[0], Decimal("5.00")),
    ]


def test_a_payment_costs_a_constant_number_of_queries(
    customer, widget, django_assert_max_num_queries
):
    few = [submitted(customer, widget) for _ in range(2)]
    many = [submitted(customer, widget) for _ in range(12)]
    with django_assert_max_num_queries(30) as few_queries:
        pay(customer, "20", *[(invoice, "10") for invoice in few])
    with django_assert_max_num_queries(len(few_queries)):
        pay(customer, "120", *[(invoice, "10") for invoice in many])
