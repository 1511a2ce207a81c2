"""Submitting and cancelling: credit limits, numbers, the journal and the customer's ledger."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from accounts.models import GLEntry, JournalEntry, NamingSeries
from crm.models import PartyLedger
from crm.selectors import customer_outstanding
from invoicing.models import SalesInvoice
from invoicing.selectors import invoices_with_details, submitted_outstanding
from invoicing.services import (
    cancel_invoice,
    create_draft_invoice,
    submit_invoice,
)
from tests.factories import CompanyFactory, CustomerFactory, UserFactory
from tests.invoicing.helpers import POSTING_DATE, draft, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk", roles=["Accounts User"])


@pytest.fixture
def controller(db):
    return UserFactory(username="controller", roles=["Credit Controller"])


def journal_totals(journal):
    totals = journal.lines.aggregate(debit=Sum("debit"), credit=Sum("credit"))
    return round(totals["debit"], 2), round(totals["credit"], 2)


def ledger_balance(customer, company):
    return round(customer_outstanding(customer=customer, company=company), 2)


def test_submitting_numbers_the_invoice_and_posts_a_balanced_journal(customer, widget, clerk):
    invoice = submit_invoice(invoice=draft(customer, widget, quantity="3"), user=clerk)

    invoice.refresh_from_db()
    assert invoice.number == "SINV-DT-2026-00001"
    assert invoice.docstatus == "submitted"
    assert invoice.status_on(POSTING_DATE) == "Submitted"
    assert round(invoice.total, 2) == round(invoice.outstanding, 2) == Decimal("30.00")
    journal = invoice.journal
    assert (journal.voucher_type, journal.voucher_number) == ("Sales Invoice", invoice.number)
    assert journal.created_by == clerk
    assert journal_totals(journal) == (Decimal("30.00"), Decimal("30.00"))
    debit = journal.lines.get(debit__gt=0)
    assert debit.account == customer.ledgers.get(company=customer.company).account
    credit = journal.lines.get(credit__gt=0)
    assert credit.account == customer.company.default_income_account
    assert ledger_balance(customer, customer.company) == Decimal("30.00")


def test_numbers_are_consecutive_per_company_and_year(customer, widget):
    numbers = [submitted(customer, widget).number for _ in range(3)]
    next_year = submitted(customer, widget, posting_date=date(2027, 1, 2)).number
    assert numbers == ["SINV-DT-2026-00001", "SINV-DT-2026-00002", "SINV-DT-2026-00003"]
    assert next_year == "SINV-DT-2027-00001"


def test_a_refused_submit_uses_no_number(customer, widget):
    customer.credit_limit = Decimal("5")
    customer.save()
    with pytest.raises(ValidationError):
        submitted(customer, widget)
    customer.credit_limit = None
    customer.save()
    assert submitted(customer, widget).number == "SINV-DT-2026-00001"
    assert NamingSeries.objects.get(prefix="SINV-DT-2026-").current == 1


def test_an_invoice_cannot_be_submitted_twice(customer, widget):
    invoice = submitted(customer, widget)
    with pytest.raises(ValidationError) as refused:
        submit_invoice(invoice=invoice, user=None)
    assert refused.value.messages == [
        "SINV-DT-2026-00001 is submitted; it cannot be submitted again."
    ]
    assert JournalEntry.objects.count() == 1


def test_an_invoice_totalling_zero_is_not_submitted(customer, widget):
    invoice = draft(customer, widget, rate="0")
    with pytest.raises(ValidationError, match=r"totals 0\.00; there is nothing to submit"):
        submit_invoice(invoice=invoice, user=None)


def test_a_customer_frozen_after_the_draft_cannot_have_it_submitted(customer, widget):
    invoice = draft(customer, widget)
    customer.frozen = True
    customer.save()
    with pytest.raises(ValidationError, match="is frozen and cannot be invoiced"):
        submit_invoice(invoice=invoice, user=None)


def test_another_companys_invoice_opens_the_customers_ledger_there(customer, unpriced_item):
    other = CompanyFactory(name="Other Works", abbreviation="OW")
    invoice = submitted(customer, unpriced_item, rate="12", company=other)

    assert invoice.number == "SINV-OW-2026-00001"
    ledger = PartyLedger.objects.get(customer=customer, company=other)
    assert ledger.account.name == "Acme - OW"
    assert ledger_balance(customer, other) == Decimal("12.00")
    assert ledger_balance(customer, customer.company) == Decimal("0.00")
    customer.refresh_from_db()
    assert customer.company.abbreviation == "DT"  # the customer itself stays where it was


# --- credit limits ------------------------------------------------------------------------


def limited_customer(company, limit):
    return CustomerFactory(name="Acme", company=company, credit_limit=Decimal(limit))


def test_crossing_the_credit_limit_is_refused_with_the_figures(company, unpriced_item, clerk):
    customer = limited_customer(company, "10000")
    submitted(customer, unpriced_item, rate="8000")
    invoice = draft(customer, unpriced_item, rate="3000")

    with pytest.raises(ValidationError) as refused:
        submit_invoice(invoice=invoice, user=clerk)

    assert refused.value.messages == [
        "Credit limit crossed for Acme (CUST-00001): outstanding 8,000.00 + this invoice "
        "3,000.00 > limit 10,000.00. A Credit Controller can submit it."
    ]
    invoice.refresh_from_db()
    assert invoice.docstatus == "draft" and invoice.number == ""
    assert ledger_balance(customer, company) == Decimal("8000.00")


def test_reaching_the_limit_exactly_is_allowed(company, unpriced_item):
    customer = limited_customer(company, "100")
    submitted(customer, unpriced_item, rate="60")
    assert submitted(customer, unpriced_item, rate="40").docstatus == "submitted"


def test_the_company_limit_applies_when_the_customer_and_its_group_have_none(
    customer, unpriced_item
):
    customer.company.credit_limit = Decimal("50")
    customer.company.save()
    with pytest.raises(ValidationError, match=r"> limit 50\.00"):
        submitted(customer, unpriced_item, rate="51")


def test_a_credit_controller_can_submit_over_the_limit_and_it_is_recorded(
    company, unpriced_item, controller
):
    customer = limited_customer(company, "10000")
    submitted(customer, unpriced_item, rate="8000")
    invoice = draft(customer, unpriced_item, rate="3000")

    invoice = submit_invoice(invoice=invoice, user=controller, override_credit_limit=True)

    invoice.refresh_from_db()
    assert invoice.docstatus == "submitted"
    assert invoice.credit_override_by == controller
    assert invoice.credit_override_at is not None
    assert invoice.credit_override_note == (
        "Credit limit crossed: outstanding 8,000.00 + this invoice 3,000.00 > limit 10,000.00 "
        "(limit from customer Acme (CUST-00001))."
    )
    assert ledger_balance(customer, company) == Decimal("11000.00")


def test_an_override_is_recorded_only_when_the_limit_is_crossed(company, unpriced_item, controller):
    customer = limited_customer(company, "10000")
    invoice = submitted(customer, unpriced_item, rate="10", user=controller)
    assert invoice.credit_override_by is None and invoice.credit_override_note == ""


def test_only_a_credit_controller_can_override(company, unpriced_item, clerk):
    customer = limited_customer(company, "100")
    invoice = draft(customer, unpriced_item, rate="101")
    with pytest.raises(ValidationError, match=r"A Credit Controller can submit it\."):
        submit_invoice(invoice=invoice, user=clerk, override_credit_limit=True)


def test_a_credit_controller_must_ask_for_the_override(company, unpriced_item, controller):
    customer = limited_customer(company, "100")
    invoice = draft(customer, unpriced_item, rate="101")
    with pytest.raises(ValidationError, match="Credit limit crossed"):
        submit_invoice(invoice=invoice, user=controller)


# --- cancelling ---------------------------------------------------------------------------


def test_cancelling_posts_a_reversal_and_clears_the_outstanding(customer, widget, clerk):
    invoice = submitted(customer, widget, quantity="2")

    invoice = cancel_invoice(invoice=invoice, user=clerk)

    invoice.refresh_from_db()
    assert invoice.docstatus == "cancelled"
    assert invoice.status == "Cancelled"
    assert invoice.outstanding == 0
    reversal = invoice.journal.reversed_by
    assert journal_totals(reversal) == (Decimal("20.00"), Decimal("20.00"))
    assert reversal.voucher_number == invoice.number
    assert ledger_balance(customer, customer.company) == Decimal("0.00")


def test_a_draft_cannot_be_cancelled(customer, widget):
    with pytest.raises(ValidationError, match="is draft; only a submitted invoice can be"):
        cancel_invoice(invoice=draft(customer, widget), user=None)


def test_a_cancelled_invoice_cannot_be_cancelled_again(customer, widget):
    invoice = cancel_invoice(invoice=submitted(customer, widget), user=None)
    with pytest.raises(ValidationError, match="is cancelled; only a submitted invoice"):
        cancel_invoice(invoice=invoice, user=None)
    assert JournalEntry.objects.count() == 2


def test_a_partly_paid_invoice_cannot_be_cancelled(customer, widget):
    invoice = submitted(customer, widget, quantity="5")
    SalesInvoice.objects.filter(pk=invoice.pk).update(outstanding=Decimal("20"))
    with pytest.raises(ValidationError) as refused:
        cancel_invoice(invoice=invoice, user=None)
    assert refused.value.messages == [
        "SINV-DT-2026-00001 has been paid in part (30.00 of 50.00); cancel its payments first."
    ]


# --- status, queries, selectors -----------------------------------------------------------


@pytest.mark.parametrize(
    ("outstanding", "day", "status"),
    [
        ("50", POSTING_DATE, "Submitted"),
        ("20", POSTING_DATE, "Partly Paid"),
        ("0", POSTING_DATE, "Paid"),
        ("20", POSTING_DATE + timedelta(days=1), "Overdue"),
        ("0", POSTING_DATE + timedelta(days=1), "Paid"),
    ],
)
def test_the_status_shown_follows_payments_and_the_due_date(
    customer, widget, outstanding, day, status
):
    invoice = submitted(customer, widget, quantity="5")
    invoice.outstanding = Decimal(outstanding)
    assert invoice.status_on(day) == status


def submit_with_lines(customer, item, count):
    invoice = create_draft_invoice(
        company=customer.company,
        customer=customer,
        posting_date=POSTING_DATE,
        lines=[(item, "1", None)] * count,
    )
    return SalesInvoice.objects.get(pk=invoice.pk)


def test_submitting_costs_the_same_queries_for_1_or_20_lines(
    customer, widget, clerk, django_assert_num_queries
):
    submitted(customer, widget)  # the ledger and the number series exist from here on
    one, twenty = submit_with_lines(customer, widget, 1), submit_with_lines(customer, widget, 20)
    with CaptureQueriesContext(connection) as for_one:
        submit_invoice(invoice=one, user=clerk)
    with django_assert_num_queries(len(for_one.captured_queries)):
        submit_invoice(invoice=twenty, user=clerk)


def test_details_load_in_a_constant_number_of_queries(
    customer, widget, gadget, django_assert_num_queries
):
    for _ in range(3):
        create_draft_invoice(
            company=customer.company,
            customer=customer,
            posting_date=POSTING_DATE,
            lines=[(widget, 1, None), (gadget, 2, None)],
        )
    with django_assert_num_queries(3):
        invoices = list(invoices_with_details())
        lines = [(line.item.code for line in invoice.lines.all()) for invoice in invoices]
        assert [list(codes) for codes in lines] == [["WIDGET", "GADGET"]] * 3


def test_submitted_outstanding_sums_submitted_invoices_only(customer, widget):
    submitted(customer, widget, quantity="2")
    cancel_invoice(invoice=submitted(customer, widget, quantity="5"), user=None)
    draft(customer, widget, quantity="7")
    assert submitted_outstanding() == Decimal("20.00")
    assert submitted_outstanding(company=customer.company, customer=customer) == Decimal("20.00")
    assert submitted_outstanding(customer=CustomerFactory(company=customer.company)) == 0


def test_gl_entries_of_all_submitted_invoices_balance(customer, widget, gadget):
    submitted(customer, widget, quantity="3")
    submitted(customer, gadget, quantity="3")
    totals = GLEntry.objects.aggregate(debit=Sum("debit"), credit=Sum("credit"))
    assert round(totals["debit"], 2) == round(totals["credit"], 2) == Decimal("37.50")
