"""The dashboard's figures against the sales book of conftest.py."""

from datetime import date
from decimal import Decimal

import pytest

from analytics import reports
from analytics.services import create_distribution, set_target
from crm.models import Customer, CustomerGroup
from tests.factories import PaymentFactory

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = date(2026, 3, 25)


def test_receivable_and_overdue_per_company(book):
    rows = {row["company__name"]: row for row in reports.receivables_by_company(today=TODAY)}

    # open: C0 50 (due 10 Feb), A2 20 (20 Mar), B1 300 (10 Mar), D1 25 (31 Mar), D2 1,000
    # (1 Apr)
    demo = rows["Demo Trading"]
    assert (demo["receivable"], demo["overdue"]) == (D(1395), D(370))
    assert (rows["Other Works"]["receivable"], rows["Other Works"]["overdue"]) == (D(999), D(999))


def test_top_customers_of_the_month_in_any_company(book):
    rows = reports.top_customers(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), limit=3)

    assert [(row["name"], row["company"], row["net_sales"]) for row in rows] == [
        ("Echo", "Other Works", D(999)),
        ("Bravo", "Demo Trading", D(300)),
        ("Alpha", "Demo Trading", D(140)),
    ]


@pytest.fixture
def limits(book):
    """Bravo's own limit of 320 (owes 300: 93.75 %), Commercial's 1,000 for the others."""
    Customer.objects.filter(pk=book.customers["bravo"].pk).update(credit_limit=D(320))
    CustomerGroup.objects.filter(name="Commercial").update(credit_limit=D(1000))


def test_credit_watch_lists_customers_over_or_near_their_limit_most_used_first(book, limits):
    rows = reports.credit_watch()

    assert [(row.customer.name, row.company.name) for row in rows] == [
        ("Delta", "Demo Trading"),  # 1,025 of 1,000 (the group's)
        ("Echo", "Other Works"),  # 999 of 1,000
        ("Bravo", "Demo Trading"),  # 300 of its own 320
    ]
    delta, echo, bravo = rows
    assert delta.is_over and delta.used_percent == D("102.50")
    assert str(delta.source) == "customer group Commercial"
    assert not echo.is_over and echo.used_percent == D("99.90")
    assert bravo.credit_limit == D(320) and str(bravo.source).startswith("customer Bravo")


def test_credit_watch_reads_the_ledger_balance_so_advances_count(book, limits, committed):
    with committed():
        PaymentFactory(customer=book.customers["bravo"], amount=D("50.00"))  # 300 - 50 = 250

    assert "Bravo" not in [row.customer.name for row in reports.credit_watch()]


def test_credit_watch_falls_back_to_the_company_limit(book):
    book.company.credit_limit = D(300)
    book.company.save()

    rows = {row.customer.name: row for row in reports.credit_watch()}

    assert set(rows) == {"Bravo", "Delta"}  # 300 and 1,025 of 300; Alpha owes 20
    assert str(rows["Bravo"].source) == "company Demo Trading"


def test_credit_watch_queries_do_not_grow_with_customers(book, limits, django_assert_num_queries):
    groups = CustomerGroup.objects.leaves().count()
    with django_assert_num_queries(groups + 4):
        reports.credit_watch()


def test_sales_this_month_against_the_top_most_territory_targets(book):
    seasonal = create_distribution(
        name="Seasonal", percentages=[5, 5, 20, 10, 10, 10, 5, 5, 10, 10, 5, 5]
    )
    territories = book.territories
    for territory, amount, distribution in [
        ("europe", 24000, seasonal),  # 4,800 in March
        ("germany", 12000, None),  # part of Europe's: not added
        ("rest", 1200, None),  # 100 a month
    ]:
        set_target(
            company=book.company,
            fiscal_year=2026,
            territory=territories[territory],
            amount=amount,
            distribution=distribution,
        )

    rows = {row.company.name: row for row in reports.sales_against_target(month=date(2026, 3, 1))}

    assert (rows["Demo Trading"].net_sales, rows["Demo Trading"].target) == (D(505), D(4900))
    assert rows["Demo Trading"].percent == D("10.31")
    assert (rows["Other Works"].net_sales, rows["Other Works"].target) == (D(999), None)
    assert rows["Other Works"].percent is None


def test_recent_invoices_newest_first(book):
    numbers = [invoice.number for invoice in reports.recent_invoices(limit=2)]

    assert numbers == [book.invoices["D2"].number, book.invoices["D1"].number]
