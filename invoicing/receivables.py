"""Read models for receivables: a customer's position per company, the customer's ledger
statement, and accounts receivable aging."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RowRange
from django.db.models.functions import Coalesce, RowNumber

from accounts.models import MONEY, ZERO, GLEntry
from crm.models import PartyLedger
from crm.selectors import (
    DefaultSource,
    credit_limits_by_company,
    ledgers_annotated_with_balance,
    subtree,
)

from .models import Payment, SalesInvoice
from .selectors import open_invoices
from .services import PAYMENT_VOUCHER_TYPE, VOUCHER_TYPE

SUBMITTED = SalesInvoice.DocStatus.SUBMITTED
MONEY_FIELD = DecimalField(**MONEY)
RECENT_DOCUMENTS = 5


def advances():
    """Submitted payments with a part not allocated to any invoice yet."""
    return Payment.objects.filter(
        docstatus=Payment.DocStatus.SUBMITTED, unallocated__gt=0
    ).order_by()


# --- a customer's receivables, per company (the panel on the customer page) ----------------


@dataclass(frozen=True)
class CompanyReceivables:
    """What one customer owes one company, and its latest documents there."""

    ledger: PartyLedger  # with `balance`, debit minus credit
    credit_limit: Decimal | None
    credit_limit_source: DefaultSource
    overdue: Decimal  # the outstanding of submitted invoices past their due date
    advances: Decimal  # payments not allocated to an invoice
    invoices: list[SalesInvoice]  # the latest submitted or cancelled, newest first
    payments: list[Payment]

    @property
    def company(self):
        return self.ledger.company

    @property
    def outstanding(self) -> Decimal:
        """The ledger's balance, as the credit check reads it: unpaid invoices less advances."""
        return self.ledger.balance

    @property
    def credit_left(self) -> Decimal | None:
        """How much more may be invoiced; negative when the outstanding is over the limit."""
        if self.credit_limit is None:
            return None
        return self.credit_limit - self.outstanding

    @property
    def over_limit_by(self) -> Decimal | None:
        """How far the outstanding is above the credit limit, or None when it is not."""
        left = self.credit_left
        return -left if left is not None and left < 0 else None


def customer_receivables(*, customer, today) -> list[CompanyReceivables]:
    """The customer's receivables in each company it has a ledger in, by company name.

    Six queries however many companies, invoices and payments there are.
    """
    ledgers = ledgers_annotated_with_balance().filter(customer=customer).order_by("company__name")
    overdue = open_invoices().filter(customer=customer, due_date__lt=today)
    overdue = _sum_per_company(overdue, "outstanding")
    unallocated = _sum_per_company(advances().filter(customer=customer), "unallocated")
    posted = SalesInvoice.objects.exclude(docstatus=SalesInvoice.DocStatus.DRAFT)
    invoices = _latest_per_company(posted.filter(customer=customer))
    payments = _latest_per_company(Payment.objects.filter(customer=customer))
    companies = [ledger.company for ledger in ledgers]
    limits = credit_limits_by_company(customer=customer, companies=companies)
    positions = []
    for ledger in ledgers:
        limit, source = limits[ledger.company_id]
        positions.append(
            CompanyReceivables(
                ledger=ledger,
                credit_limit=limit,
                credit_limit_source=source,
                overdue=overdue.get(ledger.company_id, ZERO),
                advances=unallocated.get(ledger.company_id, ZERO),
                invoices=invoices[ledger.company_id],
                payments=payments[ledger.company_id],
            )
        )
    return positions


def _sum_per_company(documents, amount) -> dict[int, Decimal]:
    return dict(documents.values_list("company_id").annotate(total=Sum(amount)))


def _latest_per_company(documents) -> defaultdict[int, list]:
    """The latest RECENT_DOCUMENTS documents in each company, newest first, in one query."""
    newest_first = [F("posting_date").desc(), F("id").desc()]
    latest = (
        documents.annotate(
            recency=Window(RowNumber(), partition_by=F("company_id"), order_by=newest_first)
        )
        .filter(recency__lte=RECENT_DOCUMENTS)
        .order_by("company_id", *newest_first)
    )
    by_company = defaultdict(list)
    for document in latest:
        by_company[document.company_id].append(document)
    return by_company


# --- the customer's ledger statement ------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    posting_date: date
    voucher_type: str
    voucher_number: str
    invoice_id: int | None  # the invoice of a "Sales Invoice" line, to link to
    payment_id: int | None  # the payment of a "Payment" line
    remark: str
    is_reversal: bool
    debit: Decimal
    credit: Decimal
    balance: Decimal  # debit minus credit, from the opening balance up to this line


@dataclass(frozen=True)
class Statement:
    ledger: PartyLedger
    date_from: date
    date_to: date
    opening: Decimal
    lines: list[StatementLine]
    total_debit: Decimal
    total_credit: Decimal

    @property
    def company(self):
        return self.ledger.company

    @property
    def closing(self) -> Decimal:
        return self.opening + self.total_debit - self.total_credit


STATEMENT_ORDER = [F("journal__posting_date").asc(), F("journal_id").asc(), F("id").asc()]


def statement(*, ledger, date_from, date_to) -> Statement:
    """Every posting on a customer's `ledger` from `date_from` to `date_to` with the balance
    before the first, after each, and at the end; two queries for any number of lines.

    A cancellation is a line of its own: the reversal, dated like the document it cancels.
    """
    entries = GLEntry.objects.filter(account_id=ledger.account_id)
    opening = entries.filter(journal__posting_date__lt=date_from).aggregate(
        balance=Coalesce(Sum("debit"), ZERO) - Coalesce(Sum("credit"), ZERO)
    )["balance"]
    rows = (
        entries.filter(journal__posting_date__range=(date_from, date_to))
        .select_related("journal")
        .annotate(
            running=Window(
                Sum(F("debit") - F("credit"), output_field=MONEY_FIELD),
                order_by=STATEMENT_ORDER,
                frame=RowRange(start=None, end=0),
            ),
            # a reversal's journal points at the one it cancels, which the document holds
            invoice_id=Coalesce("journal__sales_invoice", "journal__reverses__sales_invoice"),
            payment_id=Coalesce("journal__payment", "journal__reverses__payment"),
        )
        .order_by(*STATEMENT_ORDER)
    )
    lines = [
        StatementLine(
            posting_date=row.journal.posting_date,
            voucher_type=row.journal.voucher_type,
            voucher_number=row.journal.voucher_number,
            invoice_id=row.invoice_id if row.journal.voucher_type == VOUCHER_TYPE else None,
            payment_id=row.payment_id if row.journal.voucher_type == PAYMENT_VOUCHER_TYPE else None,
            remark=row.remark or row.journal.remark,
            is_reversal=row.journal.reverses_id is not None,
            debit=row.debit,
            credit=row.credit,
            balance=opening + row.running,
        )
        for row in rows
    ]
    return Statement(
        ledger=ledger,
        date_from=date_from,
        date_to=date_to,
        opening=opening,
        lines=lines,
        total_debit=sum((line.debit for line in lines), ZERO),
        total_credit=sum((line.credit for line in lines), ZERO),
    )


# --- accounts receivable aging ------------------------------------------------------------


@dataclass(frozen=True)
class AgingBucket:
    """Open invoices `first` to `last` days past their due date (None: no bound)."""

    key: str
    label: str
    first: int | None
    last: int | None

    def condition(self, as_of, due_date_field) -> Q:
        """Days past due = as_of - due date; compared as dates, so the index serves it."""
        condition = Q()
        if self.first is not None:
            condition &= Q(**{f"{due_date_field}__lte": as_of - timedelta(days=self.first)})
        if self.last is not None:
            condition &= Q(**{f"{due_date_field}__gte": as_of - timedelta(days=self.last)})
        return condition


AGING_BUCKETS = (
    AgingBucket("not_due", "Not yet due", None, -1),
    AgingBucket("days_0_30", "0-30", 0, 30),
    AgingBucket("days_31_60", "31-60", 31, 60),
    AgingBucket("days_61_90", "61-90", 61, 90),
    AgingBucket("days_over_90", "90+", 91, None),
)
# Each row's amounts, with their column headings: the buckets, the advances (negative) and
# the total.
AGING_COLUMNS = {
    **{bucket.key: bucket.label for bucket in AGING_BUCKETS},
    "advances": "Advances",
    "total": "Total",
}
AGING_AMOUNTS = list(AGING_COLUMNS)
AGING_SORTS = {"customer": ["name", "code"], **{key: [key] for key in AGING_AMOUNTS}}
DEFAULT_AGING_SORT = "-total"


def aging(*, company, as_of, customer_group=None, territory=None, order=DEFAULT_AGING_SORT):
    """One row per customer with open items in `company` on `as_of`: `customer_id`, `code`,
    `name`, its open invoices' outstanding under each AGING_BUCKETS key, `advances`
    (unallocated payments, negative) and `total`; sorted by a key of AGING_SORTS ("-" for
    descending). A customer group or territory stands for itself and every node below it.

    One SQL statement whatever the number of customers and invoices: the open invoices
    grouped by customer with a conditional sum per bucket (read through the
    `sales_invoice_open` index) and the customer's advances, plus the customers whose only
    open items are advances.
    """
    invoices, payments = _open_items(company, customer_group, territory)
    unallocated = (
        advances()
        .filter(company=company, customer=OuterRef("customer_id"))
        .values("customer_id")
        .annotate(total=-Sum("unallocated"))
        .values("total")
    )
    advances_of_customer = GroupSubquery(unallocated, output_field=MONEY_FIELD)
    with_invoices = _aging_rows(
        invoices,
        buckets=_bucket_sums(as_of),
        advances=advances_of_customer,
        total=Sum("outstanding") + advances_of_customer,
    )
    only_advances = _aging_rows(
        payments.exclude(_has_open_invoice(invoices)),
        buckets={bucket.key: Value(ZERO, output_field=MONEY_FIELD) for bucket in AGING_BUCKETS},
        advances=-Sum("unallocated"),
        total=-Sum("unallocated"),
    )
    return with_invoices.union(only_advances, all=True).order_by(*aging_ordering(order))


def aging_totals(*, company, as_of, customer_group=None, territory=None) -> dict:
    """The column totals of `aging` and its number of rows (`customers`), in two queries."""
    invoices, payments = _open_items(company, customer_group, territory)
    totals = invoices.aggregate(
        **{key: Coalesce(amount, ZERO) for key, amount in _bucket_sums(as_of).items()},
        customers=Count("customer_id", distinct=True),
    )
    advance_totals = payments.aggregate(
        advances=Coalesce(-Sum("unallocated"), ZERO),
        customers=Count("customer_id", distinct=True, filter=~_has_open_invoice(invoices)),
    )
    totals["advances"] = advance_totals["advances"]
    totals["customers"] += advance_totals["customers"]
    totals["total"] = sum((totals[bucket.key] for bucket in AGING_BUCKETS), totals["advances"])
    return totals


class GroupSubquery(Subquery):
    """A correlated subquery giving one value per group of a grouped query, 0 for none.

    Django groups by a plain subquery annotation itself, so the database would run it for
    every row before grouping; marked as an aggregate, it is grouped by the outer columns it
    refers to (the customer) and runs once per group.
    """

    template = "COALESCE((%(subquery)s), 0)"
    contains_aggregate = True


def _open_items(company, customer_group, territory):
    """The open invoices and the advances of `company`, of customers in the group and
    territory (and the nodes below them) when given."""
    documents = [open_invoices().filter(company=company), advances().filter(company=company)]
    if customer_group is not None:
        in_group = Q(customer__customer_group__in=subtree(customer_group))
        documents = [items.filter(in_group) for items in documents]
    if territory is not None:
        in_territory = Q(customer__territory__in=subtree(territory))
        documents = [items.filter(in_territory) for items in documents]
    return documents


def _has_open_invoice(invoices):
    return Exists(invoices.filter(customer=OuterRef("customer_id")))


def _bucket_sums(as_of) -> dict:
    """Sum(Case(When())) of the outstanding per bucket, for a query over open invoices."""
    return {
        bucket.key: Sum(
            Case(
                When(bucket.condition(as_of, "due_date"), then="outstanding"),
                default=Value(ZERO),
                output_field=MONEY_FIELD,
            )
        )
        for bucket in AGING_BUCKETS
    }


def _aging_rows(documents, *, buckets, advances, total):
    """`documents` grouped by customer into the columns of an aging row, in a fixed order."""
    return documents.values("customer_id").annotate(
        # aggregates of one value each, so that the rows are grouped by the customer alone
        code=Min("customer__code"),
        name=Min("customer__name"),
        **buckets,
        advances=advances,
        total=total,
    )


def aging_ordering(order) -> list[str]:
    """The sort key's fields, then name and code (ascending) to break ties."""
    fields = AGING_SORTS[order.lstrip("-")]
    sign = "-" if order.startswith("-") else ""
    tie_breakers = [field for field in ("name", "code") if field not in fields]
    return [*(f"{sign}{field}" for field in fields), *tie_breakers]
