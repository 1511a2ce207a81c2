"""Each report's figures against the sales book of conftest.py, worked out by hand."""

from datetime import date
from decimal import Decimal

import pytest

from analytics import reports
from analytics.services import create_distribution, set_target
from crm.models import CustomerGroup, SalesPerson, Territory
from invoicing.services import cancel_payment

pytestmark = pytest.mark.django_db

D = Decimal


def by_name(rows) -> dict:
    return {row["name"]: reports.profitability_row(row) for row in rows}


# --- customer profitability ---------------------------------------------------------------


def test_profitability_counts_submitted_invoices_of_the_period_with_cost_and_payments(book):
    rows = by_name(reports.customer_profitability(book.filters()))

    assert set(rows) == {"Alpha", "Bravo", "Charlie", "Delta"}  # Echo is another company's
    alpha = rows["Alpha"]  # the draft (500) and the cancelled invoice (300) do not count
    assert (alpha["net_sales"], alpha["cost"], alpha["gross_margin"]) == (D(140), D(90), D(50))
    assert alpha["margin_percent"] == D("35.71")
    assert alpha["outstanding"] == D(20)
    # 100 paid after 10 days and 20 after 5: (10 x 100 + 5 x 20) / 120 = 9.17 days
    assert alpha["days_to_pay"] == D("9.2")
    assert rows["Bravo"]["days_to_pay"] is None  # nothing paid yet
    assert rows["Charlie"]["days_to_pay"] == D("30.0")  # paid after the period: still counts
    delta = rows["Delta"]  # the invoice of 1 April is outside the period
    assert (delta["net_sales"], delta["gross_margin"], delta["margin_percent"]) == (
        D(25),
        D(-5),
        D("-20.00"),
    )


def test_the_least_profitable_come_first_in_ascending_order(book):
    most = [row["name"] for row in reports.customer_profitability(book.filters())]
    least = reports.customer_profitability(book.filters(), order="gross_margin")

    assert most == ["Bravo", "Alpha", "Charlie", "Delta"]
    assert [row["name"] for row in least] == ["Delta", "Charlie", "Alpha", "Bravo"]


@pytest.mark.parametrize("sort", list(reports.PROFITABILITY_SORTS))
def test_profitability_sorts_by_every_column_both_ways(book, sort):
    for order in (sort, f"-{sort}"):
        rows = [
            reports.profitability_row(row)
            for row in reports.customer_profitability(book.filters(), order=order)
        ]
        key = "name" if sort == "customer" else sort
        values = [row[key] for row in rows if row[key] is not None]
        assert values == sorted(values, reverse=order.startswith("-"))
        assert len(rows) == 4


def test_days_to_pay_sorts_unpaid_customers_last_either_way(book):
    for order in ("days_to_pay", "-days_to_pay"):
        rows = list(reports.customer_profitability(book.filters(), order=order))
        assert [row["days_to_pay"] is None for row in rows] == [False, False, True, True]


def test_profitability_totals(book):
    totals = reports.profitability_totals(book.filters())

    assert totals["customers"] == 4
    assert (totals["net_sales"], totals["cost"], totals["gross_margin"]) == (
        D(505),
        D(150),
        D(355),
    )
    assert totals["margin_percent"] == D("70.30")
    assert totals["outstanding"] == D(345)
    assert totals["days_to_pay"] == D("14.4")  # (10 x 100 + 5 x 20 + 30 x 40) / 160


def test_a_cancelled_payment_does_not_count_towards_days_to_pay(book, committed):
    payment = book.invoices["A2"].allocations.get().payment
    with committed():
        cancel_payment(payment=payment, user=None)

    alpha = by_name(reports.customer_profitability(book.filters()))["Alpha"]

    assert alpha["days_to_pay"] == D("10.0")
    assert alpha["outstanding"] == D(40)


def test_filters_take_the_nodes_below_the_chosen_territory_and_group(book):
    germany = book.filters(territory=book.territories["germany"])
    commercial = book.filters(customer_group=book.groups["commercial"])
    europe_commercial = book.filters(
        territory=book.territories["europe"], customer_group=book.groups["commercial"]
    )

    assert set(by_name(reports.customer_profitability(germany))) == {"Alpha", "Bravo"}
    assert set(by_name(reports.customer_profitability(commercial))) == {
        "Alpha",
        "Charlie",
        "Delta",
    }
    assert set(by_name(reports.customer_profitability(europe_commercial))) == {"Alpha", "Charlie"}
    assert reports.profitability_totals(germany)["net_sales"] == D(440)


def test_profitability_and_its_totals_are_one_query_each(book, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(reports.customer_profitability(book.filters(territory=book.territories["europe"])))
    with django_assert_num_queries(1):
        reports.profitability_totals(book.filters())


# --- sales rolled up the trees ------------------------------------------------------------


def tree_rows(model, filters, **options) -> dict:
    return {row.name: row for row in reports.sales_by_tree(model, filters, **options)}


def test_territory_sales_roll_up_the_tree_with_share_and_change(book):
    rows = tree_rows(Territory, book.filters())

    figures = {name: (row.net_sales, row.previous) for name, row in rows.items()}
    assert figures == {
        "All Territories": (D(505), D(50)),
        "Europe": (D(480), D(50)),
        "Germany": (D(440), D(0)),
        "Berlin": (D(140), D(0)),
        "Munich": (D(300), D(0)),
        "France": (D(40), D(50)),
        "Rest of the World": (D(25), D(0)),
    }
    assert rows["Munich"].share == D("59.41")
    assert rows["Germany"].share == D("87.13")
    assert rows["All Territories"].share == D("100.00")
    assert rows["France"].change == D("-20.00")
    assert rows["Europe"].change == D("860.00")
    assert rows["Berlin"].change is None  # nothing to compare with
    assert [(row.name, row.depth) for row in reports.sales_by_tree(Territory, book.filters())][
        :4
    ] == [("All Territories", 0), ("Europe", 1), ("France", 2), ("Germany", 2)]


def test_customer_group_sales_roll_up_and_siblings_sort_by_sales(book):
    rows = reports.sales_by_tree(CustomerGroup, book.filters(), order="-net_sales")

    figures = {row.name: row.net_sales for row in rows}
    assert figures["Commercial"] == D(205)
    assert figures["Government"] == D(300)
    assert figures["All Customer Groups"] == D(505)
    assert [row.name for row in rows][:3] == ["All Customer Groups", "Government", "Commercial"]


def test_a_territory_filter_shows_its_subtree_and_shares_of_it(book):
    rows = tree_rows(Territory, book.filters(territory=book.territories["germany"]))

    assert set(rows) == {"Germany", "Berlin", "Munich"}
    assert rows["Germany"].share == D("100.00")
    assert rows["Berlin"].share == D("31.82")  # 140 of 440


def test_sales_by_tree_is_two_queries(book, django_assert_num_queries):
    with django_assert_num_queries(2):
        reports.sales_by_tree(Territory, book.filters())


# --- targets against what was achieved ------------------------------------------------------


@pytest.fixture
def targets(book):
    seasonal = create_distribution(
        name="Seasonal", percentages=[5, 5, 20, 10, 10, 10, 5, 5, 10, 10, 5, 5]
    )
    company = book.company
    set_target(
        company=company, fiscal_year=2026, territory=book.territories["germany"], amount=12000
    )
    set_target(
        company=company,
        fiscal_year=2026,
        territory=book.territories["europe"],
        amount=24000,
        distribution=seasonal,
    )
    set_target(company=company, fiscal_year=2026, sales_person=book.people["alice"], amount=1200)
    set_target(company=company, fiscal_year=2026, sales_person=book.people["bob"], amount=6000)
    set_target(
        company=book.other_company,
        fiscal_year=2026,
        territory=book.territories["germany"],
        amount=99999,
    )


def target_rows(model, filters) -> dict:
    return {row.name: row for row in reports.targets_vs_achieved(model, filters)}


def test_territory_targets_against_net_sales_of_the_subtree(book, targets):
    rows = target_rows(Territory, book.filters())

    germany = rows["Germany"]
    assert (germany.target, germany.achieved, germany.variance) == (D(1000), D(440), D(-560))
    assert germany.percent == D("44.00")
    europe = rows["Europe"]  # 20 % of 24,000 in March
    assert (europe.target, europe.achieved, europe.percent) == (D(4800), D(480), D("10.00"))
    assert rows["Berlin"].has_target is False and rows["Berlin"].percent is None


def test_sales_person_achieved_is_credited_by_contribution(book, targets):
    rows = target_rows(SalesPerson, book.filters())

    # Alpha's invoices (140) split 60/40; Bravo's 300 are Bob's alone
    assert (rows["Alice"].target, rows["Alice"].achieved) == (D(100), D(84))
    assert rows["Alice"].percent == D("84.00")
    assert (rows["Bob"].target, rows["Bob"].achieved) == (D(500), D(356))
    assert rows["Bob"].variance == D(-144)
    assert rows["North"].achieved == D(440) and rows["North"].has_target is False


def test_targets_come_month_by_month_over_the_period(book, targets):
    filters = book.filters(date_from=date(2026, 2, 1), date_to=date(2026, 4, 30))

    germany = target_rows(Territory, filters)["Germany"]
    france = target_rows(Territory, filters)["France"]

    assert [month.month for month in germany.months] == [
        date(2026, 2, 1),
        date(2026, 3, 1),
        date(2026, 4, 1),
    ]
    assert [month.target for month in germany.months] == [D(1000)] * 3
    assert [month.achieved for month in germany.months] == [D(0), D(440), D(0)]
    assert [month.achieved for month in france.months] == [D(50), D(40), D(0)]
    assert germany.target == D(3000)


def test_targets_vs_achieved_is_three_queries(book, targets, django_assert_num_queries):
    with django_assert_num_queries(3):
        reports.targets_vs_achieved(SalesPerson, book.filters())


# --- sales partner commission ---------------------------------------------------------------


def test_partner_commission_counts_submitted_invoices_and_rounds_half_up(book):
    rows = {row["name"]: row for row in reports.partner_commission(book.filters())}

    pioneer = rows["Pioneer"]  # the draft and the cancelled invoice do not count
    assert (pioneer["invoices"], pioneer["net_sales"]) == (2, D(140))
    assert reports.commission_due(pioneer) == D("14.00")
    assert reports.commission_due(rows["Quill"]) == D("1.01")  # 300 x 0.335 % = 1.005


def test_partner_commission_sorts_and_is_one_query(book, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = [row["name"] for row in reports.partner_commission(book.filters())]
    assert names == ["Pioneer", "Quill"]
    ascending = reports.partner_commission(book.filters(), order="commission")
    assert [row["name"] for row in ascending] == ["Quill", "Pioneer"]
