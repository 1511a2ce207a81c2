"""Read models for invoicing."""

from decimal import Decimal

from django.db.models import Prefetch, Q, Sum

from accounts.models import ZERO, Account, GLEntry
from accounts.services import to_money

from .models import (
    Payment,
    PaymentAllocation,
    SalesInvoice,
    SalesInvoiceLine,
    SalesInvoiceTeamMember,
)
from .services import PAYMENT_ACCOUNT_TYPES


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


# --- payments -----------------------------------------------------------------------------


def open_invoices():
    """Submitted invoices with something outstanding (the `sales_invoice_open` index)."""
    return SalesInvoice.objects.filter(
        docstatus=SalesInvoice.DocStatus.SUBMITTED, outstanding__gt=0
    ).order_by()


def open_invoices_of(*, customer, company):
    """The customer's open invoices in `company`, oldest due first (the order payments settle
    them in)."""
    return open_invoices().filter(customer=customer, company=company).order_by("due_date", "pk")


def payment_accounts(company):
    """The cash and bank ledgers money can be received into in `company`."""
    return (
        Account.objects.for_company(company)
        .ledgers()
        .filter(account_type__in=PAYMENT_ACCOUNT_TYPES)
        .order_by("number", "name")
    )


def payments_for_detail():
    """Payments with what their receipt shows, in a constant number of queries."""
    return Payment.objects.select_related(
        "company", "customer", "paid_to", "journal", "journal__reversed_by", "created_by"
    ).prefetch_related(
        Prefetch(
            "allocations",
            queryset=PaymentAllocation.objects.select_related("invoice").order_by(
                "allocated_on", "id"
            ),
        ),
        Prefetch("journal__lines", queryset=GLEntry.objects.select_related("account")),
    )


PAYMENT_SORTS = {
    "number": ["number"],
    "date": ["posting_date", "id"],
    "customer": ["customer__name", "id"],
    "company": ["company__name", "id"],
    "mode": ["mode", "id"],
    "amount": ["amount", "id"],
    "unallocated": ["unallocated", "id"],
}
PAYMENT_STATUSES = {
    "submitted": Q(docstatus=Payment.DocStatus.SUBMITTED),
    "advance": Q(docstatus=Payment.DocStatus.SUBMITTED, unallocated__gt=0),
    "cancelled": Q(docstatus=Payment.DocStatus.CANCELLED),
}


def payments_matching(
    *,
    q="",
    company=None,
    customer=None,
    mode="",
    status="",
    date_from=None,
    date_to=None,
    sort="-date",
    **_unused,
):
    """Payments found by a search text (number, reference, customer name or code) and the
    list's filters, sorted by a key of PAYMENT_SORTS ("-" for descending)."""
    payments = Payment.objects.select_related("company", "customer")
    text = " ".join(q.split())
    if text:
        payments = payments.filter(
            Q(number__icontains=text)
            | Q(reference__icontains=text)
            | Q(customer__name__icontains=text)
            | Q(customer__code__iexact=text)
        )
    filters = {
        "company": company,
        "customer": customer,
        "mode": mode,
        "posting_date__gte": date_from,
        "posting_date__lte": date_to,
    }
    payments = payments.filter(**{key: value for key, value in filters.items() if value})
    if status:
        payments = payments.filter(PAYMENT_STATUSES[status])
    descending = sort.startswith("-")
    fields = PAYMENT_SORTS[sort.lstrip("-")]
    return payments.order_by(*(f"-{field}" if descending else field for field in fields))
