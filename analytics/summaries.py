"""The summary rows the reports and the dashboard read, rebuilt from the invoices and
payments they sum up (analytics.models: SalesFact, CustomerOpenAmount, OpenAmountByDueDate).

Saving an invoice or a payment refreshes its customer's rows once the transaction commits
(payments write their allocations after the payment row, so earlier would be too soon);
changing an item's standard cost refreshes the cost of every invoice it is on. Anything that
writes invoices or payments around the services (a bulk load in SQL) runs
`manage.py refresh_sales_summaries`, which rebuilds every row.
"""

from functools import partial

from django.db import connection, transaction
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import MONEY, ZERO
from crm.models import Customer
from invoicing.models import Payment, PaymentAllocation, SalesInvoice, SalesInvoiceLine
from invoicing.selectors import open_invoices

from .expressions import DaysBetween
from .models import COST, CustomerOpenAmount, OpenAmountByDueDate, SalesFact

MONEY_FIELD = DecimalField(**MONEY)
COST_FIELD = DecimalField(**COST)


def invoice_changed(*, invoice) -> None:
    """Refresh the invoice's summaries once the transaction commits; a draft sums up to
    nothing, so saving one changes nothing."""
    if invoice.docstatus != SalesInvoice.DocStatus.DRAFT:
        _refresh_after_commit(invoice, touched=partial(_touched, [(invoice.pk, invoice.due_date)]))


def payment_changed(*, payment) -> None:
    """A payment changes what the invoices it is set against await; they are read at commit,
    when its allocations are written."""
    _refresh_after_commit(payment, touched=partial(_paid_by, payment.pk))


def _paid_by(payment_id) -> tuple[set, set]:
    allocations = PaymentAllocation.objects.filter(payment_id=payment_id)
    return _touched(allocations.values_list("invoice_id", "invoice__due_date"))


def _touched(invoices_and_due_dates) -> tuple[set, set]:
    """(invoice ids, due dates) of (invoice id, due date) pairs."""
    pairs = list(invoices_and_due_dates)
    return {pk for pk, _ in pairs}, {day for _, day in pairs}


def item_changed(*, item, created) -> None:
    """A new item is on no invoice yet; a changed one may have a new standard cost."""
    if not created:
        transaction.on_commit(partial(refresh_item_cost, item_id=item.pk))


def _refresh_after_commit(document, *, touched) -> None:
    """At commit, refresh the invoices `touched()` names (ids and due dates): their sales
    facts, their customer's open amount and the company's open amount on their due dates.
    The customer's other invoices did not change."""

    def refresh():
        invoice_ids, due_dates = touched()
        refresh_customer(
            customer_id=document.customer_id,
            company_id=document.company_id,
            invoice_ids=invoice_ids,
            due_dates=due_dates,
        )

    transaction.on_commit(refresh)


@transaction.atomic
def refresh_customer(*, customer_id, company_id, invoice_ids=None, due_dates=None) -> None:
    """Rebuild the summary rows of the customer's invoices in the company (of `invoice_ids`
    only, when given) from its invoices and payments, its open amount, and the company's
    open amount on `due_dates` (default: every due date of the customer's invoices).

    Refreshes of one customer take turns (the customer's row is locked, as the services
    lock it), and refreshes touching the same due dates lock those days' rows in date order,
    so concurrent refreshes neither collide on the unique constraints nor deadlock.
    """
    Customer.objects.select_for_update().filter(pk=customer_id).first()
    invoices = SalesInvoice.objects.filter(customer_id=customer_id, company_id=company_id)
    facts = SalesFact.objects.filter(customer_id=customer_id, company_id=company_id)
    if invoice_ids is not None:
        invoices, facts = (
            invoices.filter(pk__in=invoice_ids),
            facts.filter(invoice_id__in=invoice_ids),
        )
    facts.delete()
    SalesFact.objects.bulk_create(
        SalesFact(**row) for row in fact_rows(invoices.filter(docstatus=_submitted()))
    )
    open_amount = open_invoices().filter(customer_id=customer_id, company_id=company_id)
    total = open_amount.aggregate(total=Sum("outstanding"))["total"]
    CustomerOpenAmount.objects.filter(customer_id=customer_id, company_id=company_id).delete()
    if total:
        CustomerOpenAmount.objects.create(
            customer_id=customer_id, company_id=company_id, outstanding=total
        )
    if due_dates is None:
        posted = invoices.exclude(docstatus=SalesInvoice.DocStatus.DRAFT)
        due_dates = set(posted.values_list("due_date", flat=True))
    _refresh_due_dates(company_id, due_dates)


def _refresh_due_dates(company_id, due_dates) -> None:
    """Recompute the company's open amount on each of `due_dates`. A day whose invoices are
    all paid keeps its row at 0 (deleting it would let a refresh waiting for the row's lock
    miss it); a rebuild drops such rows."""
    days = sorted(due_dates)
    OpenAmountByDueDate.objects.bulk_create(
        [
            OpenAmountByDueDate(company_id=company_id, due_date=day, outstanding=ZERO)
            for day in days
        ],
        ignore_conflicts=True,
    )
    rows = list(
        OpenAmountByDueDate.objects.select_for_update()
        .filter(company_id=company_id, due_date__in=days)
        .order_by("due_date")
    )
    sums = dict(
        open_invoices()
        .filter(company_id=company_id, due_date__in=days)
        .values_list("due_date")
        .annotate(total=Sum("outstanding"))
    )
    for row in rows:
        row.outstanding = sums.get(row.due_date, ZERO)
    OpenAmountByDueDate.objects.bulk_update(rows, ["outstanding"])


def refresh_item_cost(*, item_id) -> None:
    """An item's standard cost changed: recompute the cost of every invoice it is on."""
    on_item = SalesInvoiceLine.objects.filter(item_id=item_id).values("invoice_id")
    SalesFact.objects.filter(invoice_id__in=on_item).update(cost=_cost_of(OuterRef("invoice_id")))


@transaction.atomic
def rebuild_all() -> int:
    """Rebuild every summary row from the invoices and payments, in a few set-based
    statements; returns the number of invoices summed up."""
    for model in (SalesFact, CustomerOpenAmount, OpenAmountByDueDate):
        model.objects.all().delete()
    submitted = SalesInvoice.objects.filter(docstatus=_submitted())
    _insert(SalesFact, fact_rows(submitted))
    per_customer = open_invoices().values("customer_id", "company_id")
    _insert(CustomerOpenAmount, per_customer.annotate(open=Sum("outstanding")))
    per_day = open_invoices().values("company_id", "due_date")
    _insert(OpenAmountByDueDate, per_day.annotate(open=Sum("outstanding")))
    return SalesFact.objects.count()


def fact_rows(invoices):
    """A SalesFact's columns for each of `invoices` (submitted ones), as values()."""
    allocations = PaymentAllocation.objects.filter(
        invoice_id=OuterRef("pk"), payment__docstatus=Payment.DocStatus.SUBMITTED
    ).order_by()
    days = DaysBetween(F("allocated_on"), F("invoice__posting_date"))
    paid = allocations.values("invoice_id").annotate(total=Sum("amount")).values("total")
    paid_days = (
        allocations.values("invoice_id")
        .annotate(total=Sum(days * F("amount"), output_field=MONEY_FIELD))
        .values("total")
    )
    return invoices.order_by().values(
        "company_id",
        "customer_id",
        "posting_date",
        "outstanding",
        invoice_id=F("pk"),
        net_sales=F("total"),
        cost=_cost_of(OuterRef("pk")),
        paid=Coalesce(Subquery(paid, output_field=MONEY_FIELD), Value(ZERO)),
        paid_days=Coalesce(Subquery(paid_days, output_field=MONEY_FIELD), Value(ZERO)),
    )


def _cost_of(invoice):
    lines = (
        SalesInvoiceLine.objects.filter(invoice_id=invoice)
        .order_by()
        .values("invoice_id")
        .annotate(total=Sum(F("quantity") * F("item__standard_cost"), output_field=COST_FIELD))
        .values("total")
    )
    return Coalesce(Subquery(lines, output_field=COST_FIELD), Value(ZERO), output_field=COST_FIELD)


def _insert(model, rows) -> None:
    """INSERT INTO model's table the rows of the values() query `rows`, each value into the
    column of its name ("open" into `outstanding`, which an annotation cannot be called)."""
    sql, params = rows.query.sql_with_params()
    names = [*rows.query.values_select, *rows.query.annotation_select]
    columns = [{"open": "outstanding"}.get(name, name) for name in names]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql}", params)


def _submitted():
    return SalesInvoice.DocStatus.SUBMITTED
