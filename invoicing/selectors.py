"""Read models for invoicing."""

from decimal import Decimal

from django.db.models import Prefetch, Sum

from accounts.models import ZERO
from accounts.services import to_money

from .models import SalesInvoice, SalesInvoiceLine, SalesInvoiceTeamMember


def invoices_with_details():
    """Invoices with their parties, lines and sales team: a constant number of queries."""
    return SalesInvoice.objects.select_related(
        "company", "customer", "price_list", "sales_partner", "journal", "credit_override_by"
    ).prefetch_related(
        Prefetch("lines", queryset=SalesInvoiceLine.objects.select_related("item")),
        Prefetch(
            "sales_team", queryset=SalesInvoiceTeamMember.objects.select_related("sales_person")
        ),
    )


def submitted_outstanding(*, company=None, customer=None) -> Decimal:
    """What submitted invoices still await, optionally of one company and/or customer."""
    invoices = SalesInvoice.objects.filter(docstatus=SalesInvoice.DocStatus.SUBMITTED)
    if company is not None:
        invoices = invoices.filter(company=company)
    if customer is not None:
        invoices = invoices.filter(customer=customer)
    return to_money(invoices.aggregate(total=Sum("outstanding"))["total"] or ZERO)
