"""Helpers for invoicing tests: raise and submit invoices in one call."""

from datetime import date

from invoicing.services import create_draft_invoice, submit_invoice

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
