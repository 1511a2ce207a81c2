"""Helpers for invoicing tests: raise and submit invoices in one call."""

from datetime import date
from decimal import Decimal

from accounts.models import Account
from invoicing.services import Allocation, create_draft_invoice, receive_payment, submit_invoice

POSTING_DATE = date(2026, 3, 10)


def draft(customer, item, quantity="1", rate=None, *, company=None, posting_date=POSTING_DATE):
    return create_draft_invoice(
        company=company or customer.company,
        customer=customer,
        posting_date=posting_date,
        lines=[(item, quantity, rate)],
    )


def submitted(customer, item, quantity="1", rate=None, *, user=None, **options):
    return submit_invoice(invoice=draft(customer, item, quantity, rate, **options), user=user)


def invoice_on(customer, amount, day, *, item, company=None):
    """A submitted invoice of one line at `amount`, posted on `day`."""
    return submitted(customer, item, "1", amount, posting_date=day, company=company)


def paid(customer, amount, day, *allocations, company=None):
    """A payment into the bank, with (invoice, amount) allocations."""
    company = company or customer.company
    return receive_payment(
        company=company,
        customer=customer,
        posting_date=day,
        amount=Decimal(amount),
        paid_to=Account.objects.get(company=company, account_type=Account.Type.BANK),
        allocations=[Allocation(invoice, Decimal(share)) for invoice, share in allocations],
    )
