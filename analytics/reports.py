"""The sales reports: customer profitability, sales rolled up the customer group and territory
trees, targets against what was achieved, sales partner commission, and the dashboard's
figures.

Every figure is an aggregate the database computes; Python only walks the small trees
(customer groups, territories, sales persons) to add children into their parents.

Net sales are the totals of submitted invoices: drafts are not sales yet and a cancelled
invoice is not a sale at all (its journal is reversed). Each report reads the invoices of one
company posted in a period, of customers in a customer group and a territory (each with every
node below it) when given. Customer profitability and the dashboard read the summaries kept
by `analytics.summaries` (one narrow row per invoice, open amounts per customer and per due
date); the reports that group by a few tree nodes or partners read the invoices themselves.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth

from accounts.models import MONEY, ZERO, Company
from accounts.services import to_money
from crm.models import Customer, CustomerGroup, Territory
from crm.selectors import (
    credit_limits_by_company,
    ledgers_annotated_with_balance,
    source_of,
    subtree,
)
from dataimport.models import ImportLog
from invoicing.models import SalesInvoice, SalesInvoiceTeamMember

from .expressions import WIDE_FIELD, Ratio
from .models import HUNDRED, CustomerOpenAmount, OpenAmountByDueDate, SalesFact, SalesTarget
from .services import monthly_targets

MONEY_FIELD = DecimalField(**MONEY)
SUBMITTED = SalesInvoice.DocStatus.SUBMITTED


@dataclass(frozen=True)
class ReportFilters:
    """What every report is asked for: a company, a period, and optionally a customer group
    and a territory (each standing for itself and every node below it)."""

    company: object
    date_from: date
    date_to: date
    customer_group: object = None
    territory: object = None

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> "ReportFilters":
        """The period of the same length that ends the day before this one starts."""
        date_to = self.date_from - timedelta(days=1)
        return ReportFilters(
            self.company,
            date_to - timedelta(days=self.days - 1),
            date_to,
            self.customer_group,
            self.territory,
        )


def in_scope(filters: ReportFilters, *, via="", date_from=None) -> Q:
    """Rows of the company, posted in the period (from `date_from` when given), of customers
    in the group and territory, as a condition on a query that reaches the invoice or sales
    fact through `via` ("invoice__" from a line)."""
    condition = Q(
        **{
            f"{via}company": filters.company,
            f"{via}posting_date__gte": date_from or filters.date_from,
            f"{via}posting_date__lte": filters.date_to,
        }
    )
    if filters.customer_group is not None:
        condition &= Q(**{f"{via}customer__customer_group__in": subtree(filters.customer_group)})
    if filters.territory is not None:
        condition &= Q(**{f"{via}customer__territory__in": subtree(filters.territory)})
    return condition


def net_sales_condition(filters: ReportFilters, *, via="", date_from=None) -> Q:
    """The invoices that count as net sales under `filters`: submitted ones in scope."""
    return in_scope(filters, via=via, date_from=date_from) & Q(**{f"{via}docstatus": SUBMITTED})


def net_sales_invoices(filters: ReportFilters):
    return SalesInvoice.objects.filter(net_sales_condition(filters)).order_by()


# --- customer profitability ---------------------------------------------------------------

PROFITABILITY_SORTS = {
    "customer": ["name", "code"],
    "net_sales": ["net_sales"],
    "cost": ["cost"],
    "gross_margin": ["gross_margin"],
    "margin_percent": ["margin_percent"],
    "outstanding": ["outstanding"],
    "days_to_pay": ["days_to_pay"],
}
PROFITABILITY_AMOUNTS = [key for key in PROFITABILITY_SORTS if key != "customer"]
DEFAULT_PROFITABILITY_SORT = "-gross_margin"


def customer_profitability(filters: ReportFilters, *, order=DEFAULT_PROFITABILITY_SORT):
    """One row per customer with net sales in the period: `customer_id`, `code`, `name`,
    `net_sales`, `cost` (line quantity x the item's standard cost), `gross_margin`,
    `margin_percent` (None without sales), `outstanding` (what the period's invoices still
    await) and `days_to_pay` (from an invoice's date to each payment set against it,
    weighted by the amount paid; None when nothing is paid yet).

    One query over the sales facts (a row per submitted invoice with its cost and payments
    summed up), grouped by customer.
    """
    rows = (
        SalesFact.objects.filter(in_scope(filters))
        .values("customer_id")
        .annotate(
            code=Min("customer__code"),
            name=Min("customer__name"),
            net_sales=Sum("net_sales"),
            cost=Sum("cost"),
            outstanding=Sum("outstanding"),
            days_to_pay=Ratio(Sum("paid_days"), Sum("paid")),
        )
        .annotate(
            gross_margin=ExpressionWrapper(F("net_sales") - F("cost"), output_field=WIDE_FIELD),
            margin_percent=Ratio((F("net_sales") - F("cost")) * HUNDRED, F("net_sales")),
        )
    )
    return rows.order_by(*_ordering(PROFITABILITY_SORTS, order))


def profitability_totals(filters: ReportFilters) -> dict:
    """The totals of `customer_profitability` and its number of rows, in one query."""
    totals = SalesFact.objects.filter(in_scope(filters)).aggregate(
        customers=Count("customer_id", distinct=True),
        net_sales=Coalesce(Sum("net_sales"), ZERO),
        cost=Coalesce(Sum("cost"), ZERO),
        outstanding=Coalesce(Sum("outstanding"), ZERO),
        paid=Sum("paid"),
        paid_days=Sum("paid_days"),
    )
    totals["cost"] = to_money(totals["cost"])
    totals["gross_margin"] = totals["net_sales"] - totals["cost"]
    totals["margin_percent"] = percent_of(totals["gross_margin"], totals["net_sales"])
    paid = totals.pop("paid")
    paid_days = totals.pop("paid_days")
    totals["days_to_pay"] = rounded_days(paid_days / paid) if paid else None
    return totals


def profitability_row(row) -> dict:
    """A row of `customer_profitability` with its figures rounded as the page shows them."""
    return {
        **row,
        "cost": to_money(row["cost"]),
        "gross_margin": to_money(row["gross_margin"]),
        "margin_percent": None
        if row["margin_percent"] is None
        else to_money(row["margin_percent"]),
        "days_to_pay": None if row["days_to_pay"] is None else rounded_days(row["days_to_pay"]),
    }


def rounded_days(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.1"))


def percent_of(part, whole) -> Decimal | None:
    """`part` as a percentage of `whole`, to two decimals; None when `whole` is 0."""
    return to_money(Decimal(part) * HUNDRED / whole) if whole else None


def _ordering(sorts, order) -> list:
    """The sort key's fields (empty values last either way), then name and code."""
    descending = order.startswith("-")
    fields = sorts[order.lstrip("-")]
    expressions = [
        F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
        for name in fields
    ]
    tie_breakers = [name for name in ("name", "code") if name not in fields]
    return [*expressions, *tie_breakers]


# --- sales rolled up a tree (customer groups, territories) --------------------------------

TREE_SORTS = {"name": "name", "net_sales": "net_sales", "previous": "previous", "change": "change"}
DEFAULT_TREE_SORT = "name"


@dataclass
class TreeSalesRow:
    node: object
    depth: int
    net_sales: Decimal = ZERO  # the node's own customers and every node below it
    previous: Decimal = ZERO  # the same for the previous period
    share: Decimal | None = None  # percent of the period's total
    has_children: bool = False

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def change(self) -> Decimal | None:
        """Percent change against the previous period; None when it had no sales."""
        return percent_of(self.net_sales - self.previous, self.previous)


def sales_by_tree(model, filters: ReportFilters, *, order=DEFAULT_TREE_SORT) -> list[TreeSalesRow]:
    """Every node of the customer group or territory tree (only the filtered node and those
    below it, when the report is filtered by a node of the same tree), depth-first, each
    with the net sales of the period and of the previous period of the same length, and its
    share of the period's total; siblings sorted by a key of TREE_SORTS.

    Two queries: the sales per node (both periods in one pass), and the tree.
    """
    customer_field = f"customer__{_tree_field(model)}_id"
    previous = filters.previous()
    per_node = (
        SalesInvoice.objects.filter(net_sales_condition(filters, date_from=previous.date_from))
        .order_by()
        .values(node_id=F(customer_field))
        .annotate(
            current=Sum("total", filter=Q(posting_date__gte=filters.date_from)),
            before=Sum("total", filter=Q(posting_date__lte=previous.date_to)),
        )
    )
    rows = {node.pk: TreeSalesRow(node, node.tree_depth) for node in _tree_nodes(model, filters)}
    for sums in per_node:
        row = rows[sums["node_id"]]
        row.net_sales += sums["current"] or ZERO
        row.previous += sums["before"] or ZERO
    roots = _roll_up(rows, ("net_sales", "previous"))
    total = sum((rows[pk].net_sales for pk in roots), ZERO)
    for row in rows.values():
        row.share = percent_of(row.net_sales, total)
    return _depth_first(rows, order)


def _tree_field(model) -> str:
    return {Territory: "territory"}.get(model, "customer_group")


def _tree_nodes(model, filters):
    """The tree's nodes depth-first, only the filtered node's subtree when there is one."""
    nodes = model.objects.with_tree_fields().order_siblings_by("name")
    chosen = {Territory: filters.territory, CustomerGroup: filters.customer_group}.get(model)
    if chosen is not None:
        nodes = nodes.filter(pk__in=subtree(chosen))
    return list(nodes)


def _roll_up(rows, fields) -> list[int]:
    """Add each node's `fields` into its parent's (deepest first); return the top nodes."""
    roots = []
    for row in sorted(rows.values(), key=lambda row: -row.depth):
        parent = rows.get(row.node.parent_id)
        if parent is None:
            roots.append(row.node.pk)
            continue
        parent.has_children = True
        for name in fields:
            setattr(parent, name, getattr(parent, name) + getattr(row, name))
    return roots


def _depth_first(rows, order) -> list:
    """The rows as a tree, depth-first, siblings sorted by `order` ("-" for descending)."""
    key_name = TREE_SORTS[order.lstrip("-")]
    descending = order.startswith("-")
    children = defaultdict(list)
    for row in rows.values():
        parent = row.node.parent_id if row.node.parent_id in rows else None
        children[parent].append(row)

    def sort_key(row):
        value = getattr(row, key_name)
        missing = value is None
        if isinstance(value, str):
            value = value.casefold()
        return (missing, value) if not descending else (not missing, value)

    ordered = []

    def visit(parent):
        siblings = sorted(children[parent], key=lambda row: row.name.casefold())
        siblings.sort(key=sort_key, reverse=descending)
        for row in siblings:
            ordered.append(row)
            visit(row.node.pk)

    visit(None)
    return ordered


# --- targets against what was achieved ------------------------------------------------------


@dataclass
class MonthFigures:
    month: date  # the first day of the month
    target: Decimal = ZERO
    achieved: Decimal = ZERO

    @property
    def variance(self) -> Decimal:
        """Achieved less target: negative when short of it."""
        return self.achieved - self.target

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.achieved, self.target)


@dataclass
class TargetRow:
    node: object
    depth: int
    months: list[MonthFigures] = field(default_factory=list)
    has_target: bool = False
    has_children: bool = False

    @property
    def name(self) -> str:
        return self.node.name

    @property
    def target(self) -> Decimal:
        return sum((month.target for month in self.months), ZERO)

    @property
    def achieved(self) -> Decimal:
        return sum((month.achieved for month in self.months), ZERO)

    @property
    def variance(self) -> Decimal:
        return self.achieved - self.target

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.achieved, self.target)


TARGET_SORTS = {
    "name": "name",
    "target": "target",
    "achieved": "achieved",
    "variance": "variance",
    "percent": "percent",
}


def targets_vs_achieved(model, filters: ReportFilters, *, order="name") -> list[TargetRow]:
    """Every territory or sales person (model) depth-first with, for each month of the
    period, its target and what it achieved.

    Achieved by a territory: the net sales of customers in it and in the territories below
    it. Achieved by a sales person: the net sales of the invoices whose sales team includes
    them, times their contribution (60 % of an invoice of 1,000 credits 600); a group of
    sales persons achieves what its members do. A month's target comes from the year's
    target split by `services.monthly_targets`. Three queries.
    """
    months = months_of(filters.date_from, filters.date_to)
    rows = {}
    for node in _tree_nodes(model, filters):
        figures = [MonthFigures(month) for month in months]
        rows[node.pk] = TargetRow(node, node.tree_depth, figures)
    index = {month: position for position, month in enumerate(months)}
    for node_id, month, achieved in _achieved_per_month(model, filters):
        if node_id in rows:
            rows[node_id].months[index[_first_of(month)]].achieved += to_money(achieved)
    _roll_up_months(rows)
    owner = "territory" if model is Territory else "sales_person"
    targets = SalesTarget.objects.filter(
        company=filters.company,
        fiscal_year__in={month.year for month in months},
        **{f"{owner}__in": list(rows)},
    ).select_related("distribution")
    for target in targets:
        row = rows[getattr(target, f"{owner}_id")]
        row.has_target = True
        for month, amount in enumerate(monthly_targets(target), start=1):
            position = index.get(date(target.fiscal_year, month, 1))
            if position is not None:
                row.months[position].target = amount
    return _depth_first(rows, _target_order(order))


def _target_order(order) -> str:
    return order if order.lstrip("-") in TARGET_SORTS else "name"


def _achieved_per_month(model, filters):
    """(node pk, month, achieved) for the nodes that made sales in the period."""
    if model is Territory:
        sales = (
            SalesInvoice.objects.filter(net_sales_condition(filters))
            .values_list(F("customer__territory_id"), TruncMonth("posting_date"))
            .annotate(achieved=Sum("total"))
        )
    else:
        credited = F("invoice__total") * F("contribution") / HUNDRED
        sales = (
            SalesInvoiceTeamMember.objects.filter(net_sales_condition(filters, via="invoice__"))
            .values_list(F("sales_person_id"), TruncMonth("invoice__posting_date"))
            .annotate(achieved=Sum(credited, output_field=WIDE_FIELD))
        )
    return sales.order_by()


def _roll_up_months(rows):
    for row in sorted(rows.values(), key=lambda row: -row.depth):
        parent = rows.get(row.node.parent_id)
        if parent is None:
            continue
        parent.has_children = True
        for mine, theirs in zip(row.months, parent.months, strict=True):
            theirs.achieved += mine.achieved


def months_of(date_from, date_to) -> list[date]:
    """The first day of each month from `date_from`'s to `date_to`'s."""
    months, month = [], _first_of(date_from)
    while month <= date_to:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _first_of(day) -> date:
    return day.replace(day=1)


# --- sales partner commission ---------------------------------------------------------------

COMMISSION_SORTS = {
    "partner": ["name"],
    "invoices": ["invoices"],
    "net_sales": ["net_sales"],
    "commission": ["commission"],
}
DEFAULT_COMMISSION_SORT = "-commission"


def partner_commission(filters: ReportFilters, *, order=DEFAULT_COMMISSION_SORT):
    """One row per sales partner with invoices in the period: `sales_partner_id`, `name`,
    `invoices`, `net_sales` and `commission` (the sum of each invoice's total times its
    commission rate; `commission_due` rounds it half-up to cents). One query."""
    commission = Sum(F("total") * F("commission_rate") / HUNDRED, output_field=WIDE_FIELD)
    rows = (
        net_sales_invoices(filters)
        .filter(sales_partner__isnull=False)
        .values("sales_partner_id")
        .annotate(
            name=Max("sales_partner__name"),
            invoices=Count("id"),
            net_sales=Sum("total"),
            commission=commission,
        )
    )
    descending = order.startswith("-")
    fields = COMMISSION_SORTS[order.lstrip("-")]
    return rows.order_by(*(f"-{name}" if descending else name for name in fields), "name")


def commission_due(row) -> Decimal:
    return to_money(row["commission"])


# --- the dashboard --------------------------------------------------------------------------


def receivables_by_company(*, today):
    """Per company with open invoices: `company_id`, `company__name`, `receivable` (what
    submitted invoices still await) and `overdue` (the part past its due date). One query
    over the open amounts per due date (a few hundred rows per company)."""
    return (
        OpenAmountByDueDate.objects.values("company_id", "company__name")
        .annotate(
            receivable=Sum("outstanding"),
            overdue=Coalesce(Sum("outstanding", filter=Q(due_date__lt=today)), ZERO),
        )
        .order_by("company__name")
    )


TOP_CUSTOMERS = 5
CREDIT_WATCH = 10
NEAR_LIMIT = Decimal("0.9")  # "near" the credit limit: at 90 % of it or more
RECENT = 5


def top_customers(*, date_from, date_to, limit=TOP_CUSTOMERS):
    """The customers with the highest net sales in the period, in any company: `customer_id`,
    `company_id`, `name`, `code`, `company` and `net_sales`. One query over the sales facts."""
    return (
        SalesFact.objects.filter(posting_date__gte=date_from, posting_date__lte=date_to)
        .values("customer_id", "company_id")
        .annotate(
            name=Min("customer__name"),
            code=Min("customer__code"),
            company=Min("company__name"),
            net_sales=Sum("net_sales"),
        )
        .order_by("-net_sales", "name")[:limit]
    )


@dataclass(frozen=True)
class CreditWatchRow:
    customer: object
    company: object
    outstanding: Decimal  # the ledger's balance, as the credit check reads it
    credit_limit: Decimal
    source: object  # where the limit comes from (crm.selectors.DefaultSource)

    @property
    def used_percent(self) -> Decimal | None:
        return percent_of(self.outstanding, self.credit_limit)

    @property
    def is_over(self) -> bool:
        return self.outstanding > self.credit_limit


def credit_watch(*, limit=CREDIT_WATCH) -> list[CreditWatchRow]:
    """The customers whose outstanding is over their credit limit or at 90 % of it or more,
    the most used first.

    The limits are the ones `crm.selectors` resolve (the customer's own, else its groups',
    else the company's), asked once per customer group for the customers without a limit of
    their own; so the database can compare them with what each customer's open invoices
    await and return only the few at or near their limit. Those few are then checked
    against their ledger balance (open invoices less advances), the figure the credit check
    reads. One query per customer group and four more, whatever the number of customers.
    """
    inherited = _inherited_credit_limits(list(Company.objects.all()))
    pairs = _near_limit_by_open_invoices(inherited, count=limit * 2)
    ledgers = (
        ledgers_annotated_with_balance()
        .select_related("customer")
        .filter(customer_id__in={customer for customer, _ in pairs})
    )
    rows = []
    for ledger in ledgers:
        if (ledger.customer_id, ledger.company_id) not in pairs:
            continue
        customer = ledger.customer
        if customer.credit_limit is not None:
            amount, source = customer.credit_limit, source_of(customer)
        else:
            amount, source = inherited[customer.customer_group_id, ledger.company_id]
        if ledger.balance >= amount * NEAR_LIMIT:
            rows.append(CreditWatchRow(customer, ledger.company, ledger.balance, amount, source))
    rows.sort(key=lambda row: (row.credit_limit > 0, -(row.used_percent or 0), row.customer.name))
    return rows[:limit]


def _inherited_credit_limits(companies) -> dict[tuple[int, int], tuple]:
    """(customer group pk, company pk) -> (limit, source) for a customer of that group
    without a limit of its own, where its groups or the company set one."""
    limits = {}
    for group in CustomerGroup.objects.leaves():
        probe = Customer(customer_group=group)  # no limit of its own, like the ones it stands for
        for company_id, (amount, source) in credit_limits_by_company(
            customer=probe, companies=companies
        ).items():
            if amount is not None:
                limits[group.pk, company_id] = (amount, source)
    return limits


def _near_limit_by_open_invoices(inherited, *, count) -> set[tuple[int, int]]:
    """(customer pk, company pk) of the `count` customers whose open invoices await the
    largest part of their limit, at least 90 % of it. One query over the open amount per
    customer."""
    from_groups = [
        When(customer__customer_group_id=group_id, company_id=company_id, then=Value(amount))
        for (group_id, company_id), (amount, _source) in inherited.items()
    ]
    credit_limit = Coalesce(
        "customer__credit_limit", Case(*from_groups, default=None, output_field=MONEY_FIELD)
    )
    candidates = (
        CustomerOpenAmount.objects.annotate(credit_limit=credit_limit)
        .filter(credit_limit__isnull=False, outstanding__gte=F("credit_limit") * NEAR_LIMIT)
        .annotate(used=Ratio(F("outstanding"), F("credit_limit")))
        .order_by(F("used").desc(nulls_first=True), "customer_id")
        .values_list("customer_id", "company_id")[:count]
    )
    return set(candidates)


@dataclass(frozen=True)
class CompanyMonth:
    company: object
    net_sales: Decimal
    target: Decimal | None  # None: no territory target covers the month

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.net_sales, self.target) if self.target else None


def sales_against_target(*, month) -> list[CompanyMonth]:
    """Each company's net sales in `month` (its first day) against the month's target: the
    targets of the top-most territories that have one (a target of Germany under a target of
    Europe is part of Europe's, not added to it). Four queries."""
    last_day = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    sales = dict(
        SalesInvoice.objects.filter(
            docstatus=SUBMITTED, posting_date__gte=month, posting_date__lte=last_day
        )
        .order_by()
        .values_list("company_id")
        .annotate(total=Sum("total"))
    )
    paths = {node.pk: node.tree_path for node in Territory.objects.with_tree_fields()}
    targets = list(
        SalesTarget.objects.filter(fiscal_year=month.year, territory__isnull=False).select_related(
            "distribution"
        )
    )
    targeted = defaultdict(set)
    for target in targets:
        targeted[target.company_id].add(target.territory_id)
    month_targets = defaultdict(lambda: ZERO)
    for target in targets:
        above = set(paths[target.territory_id][:-1])
        if not above & targeted[target.company_id]:
            month_targets[target.company_id] += monthly_targets(target)[month.month - 1]
    companies = Company.objects.filter(pk__in={*sales, *month_targets}).order_by("name")
    return [
        CompanyMonth(company, sales.get(company.pk, ZERO), month_targets.get(company.pk))
        for company in companies
    ]


def recent_imports(limit=RECENT):
    return (
        ImportLog.objects.without_content().select_related("user").order_by("-started_at")[:limit]
    )


def recent_invoices(limit=RECENT):
    return SalesInvoice.objects.select_related("customer", "company").order_by(
        "-posting_date", "-id"
    )[:limit]
