"""Read models for accounts: balances and the chart of accounts as a tree."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum, Window
from django.db.models.functions import Coalesce, RowNumber

from .models import ZERO, Account, GLEntry

LEDGERS_SHOWN_PER_GROUP = 50


def account_balance(*, account) -> Decimal:
    """Debit minus credit; a group's balance rolls up all its descendants."""
    entries = GLEntry.objects.all()
    if account.is_group:
        subtree = Account.objects.descendants(account, include_self=True).values("pk")
        entries = entries.filter(account__in=subtree)
    else:
        entries = entries.filter(account=account)
    totals = entries.aggregate(
        debit=Coalesce(Sum("debit"), ZERO), credit=Coalesce(Sum("credit"), ZERO)
    )
    return totals["debit"] - totals["credit"]


def ledger_balances(*, account_ids) -> dict[int, Decimal]:
    """Balance (debit minus credit) of each ledger in `account_ids`, in one query."""
    rows = (
        GLEntry.objects.filter(account_id__in=account_ids)
        .values("account_id")
        .annotate(balance=Sum("debit") - Sum("credit"))
    )
    return {row["account_id"]: row["balance"] for row in rows}


@dataclass
class ChartRow:
    account: Account
    depth: int
    balance: Decimal = ZERO
    ledger_count: int = 0
    hidden_ledgers: int = 0
    children: list = field(default_factory=list)
    more_ledgers_of: "ChartRow | None" = None  # set on the last ledger shown of a long group


def chart_of_accounts(*, company, ledgers_per_group=LEDGERS_SHOWN_PER_GROUP) -> list[ChartRow]:
    """The company's chart in tree order with rolled-up balances, in four queries.

    A group with thousands of customer ledgers shows the first `ledgers_per_group` of them by
    name and says how many more there are, so the page stays fast at any size.
    """
    groups = list(Account.objects.for_company(company).groups().with_tree_fields())
    ledgers = (
        Account.objects.for_company(company)
        .ledgers()
        .annotate(
            rank=Window(RowNumber(), partition_by=F("parent_id"), order_by=[F("number"), F("name")])
        )
        .filter(rank__lte=ledgers_per_group)
        .order_by("parent_id", "number", "name")
    )
    counts = dict(
        Account.objects.for_company(company)
        .ledgers()
        .values_list("parent_id")
        .annotate(n=Count("pk"))
        .values_list("parent_id", "n")
    )
    balances = _balances_by_parent(company)

    rows = {group.pk: ChartRow(group, depth=len(group.tree_path) - 1) for group in groups}
    top = []
    for ledger in ledgers:
        parent = rows.get(ledger.parent_id)
        if parent is None:
            top.append(ChartRow(ledger, depth=0, balance=balances.own.get(ledger.pk, ZERO)))
            continue
        row = ChartRow(ledger, depth=parent.depth + 1, balance=balances.own.get(ledger.pk, ZERO))
        parent.children.append(row)
    for group in groups:
        row = rows[group.pk]
        row.ledger_count = counts.get(group.pk, 0)
        row.hidden_ledgers = max(row.ledger_count - ledgers_per_group, 0)
        if row.hidden_ledgers and row.children:
            row.children[-1].more_ledgers_of = row
    _roll_up(rows, groups, balances.by_parent)
    flat = []
    for group in groups:  # with_tree_fields orders groups depth-first
        row = rows[group.pk]
        flat.append(row)
        flat.extend(row.children)
    return top + flat


@dataclass
class _Balances:
    own: dict
    by_parent: dict


def _balances_by_parent(company) -> _Balances:
    rows = (
        GLEntry.objects.filter(account__company=company)
        .values("account_id", "account__parent_id")
        .annotate(balance=Sum("debit") - Sum("credit"))
        .filter(~Q(balance=0))
    )
    own, by_parent = {}, {}
    for row in rows:
        own[row["account_id"]] = row["balance"]
        parent = row["account__parent_id"]
        by_parent[parent] = by_parent.get(parent, ZERO) + row["balance"]
    return _Balances(own=own, by_parent=by_parent)


def _roll_up(rows, groups, ledger_sums_by_parent):
    for group in sorted(groups, key=lambda g: len(g.tree_path), reverse=True):
        row = rows[group.pk]
        row.balance += ledger_sums_by_parent.get(group.pk, ZERO)
        if group.parent_id in rows:
            rows[group.parent_id].balance += row.balance
