"""The columns of the invoice list and aging downloads, and their rows."""

from collections.abc import Iterator

from django.utils import timezone

from accounts.services import to_money
from invoicing.receivables import AGING_AMOUNTS, AGING_COLUMNS

CHUNK_SIZE = 2000

INVOICE_HEADERS = [
    "Number",
    "Customer code",
    "Customer",
    "Company",
    "Posting date",
    "Due date",
    "Currency",
    "Total",
    "Outstanding",
    "Status",
]


def invoice_rows(invoices, *, today=None) -> Iterator[list]:
    """One row per invoice of the list's query, in its order; a draft has no number and
    nothing outstanding yet."""
    today = today or timezone.localdate()
    for invoice in invoices.select_related("company", "customer").iterator(chunk_size=CHUNK_SIZE):
        yield [
            invoice.number or f"Draft {invoice.pk}",
            invoice.customer.code,
            invoice.customer.name,
            invoice.company.abbreviation,
            invoice.posting_date,
            invoice.due_date,
            invoice.currency,
            to_money(invoice.total),
            None if invoice.is_draft else to_money(invoice.outstanding),
            invoice.status_on(today),
        ]


AGING_HEADERS = ["Customer code", "Customer", *AGING_COLUMNS.values()]


def aging_rows(rows) -> Iterator[list]:
    """The rows of `invoicing.receivables.aging`, amounts rounded to the cent."""
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield [row["code"], row["name"], *(to_money(row[key]) for key in AGING_AMOUNTS)]
