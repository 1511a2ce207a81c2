"""The columns of the report downloads, and their rows (amounts rounded to the cent)."""

from collections.abc import Iterator

from accounts.services import to_money
from crm.forms import PATH_SEPARATOR

from . import reports

CHUNK_SIZE = 2000

PROFITABILITY_HEADERS = [
    "Customer code",
    "Customer",
    "Net sales",
    "Cost",
    "Gross margin",
    "Margin %",
    "Outstanding",
    "Average days to pay",
]


def profitability_rows(rows) -> Iterator[list]:
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        row = reports.profitability_row(row)
        yield [
            row["code"],
            row["name"],
            to_money(row["net_sales"]),
            row["cost"],
            row["gross_margin"],
            row["margin_percent"],
            to_money(row["outstanding"]),
            row["days_to_pay"],
        ]


TREE_HEADERS = ["Path", "Level", "Net sales", "Previous period", "Share %", "Change %"]


def tree_rows(rows) -> Iterator[list]:
    paths = {}
    for row in rows:
        node = row.node
        paths[node.pk] = [*paths.get(node.parent_id, []), node.name]
        yield [
            PATH_SEPARATOR.join(paths[node.pk]),
            row.depth,
            row.net_sales,
            row.previous,
            row.share,
            row.change,
        ]


TARGET_HEADERS = ["Path", "Month", "Target", "Achieved", "Variance", "% achieved"]


def target_rows(rows) -> Iterator[list]:
    paths = {}
    for row in rows:
        node = row.node
        paths[node.pk] = [*paths.get(node.parent_id, []), node.name]
        for month in row.months:
            yield [
                PATH_SEPARATOR.join(paths[node.pk]),
                f"{month.month:%Y-%m}",
                month.target,
                month.achieved,
                month.variance,
                month.percent,
            ]


COMMISSION_HEADERS = ["Sales partner", "Invoices", "Net sales", "Commission due"]


def commission_rows(rows) -> Iterator[list]:
    for row in rows:
        yield [row["name"], row["invoices"], row["net_sales"], reports.commission_due(row)]
