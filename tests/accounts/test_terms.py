"""Due dates: fixed days after the invoice date, or the last day of the next month."""

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.terms import Rule, due_date, terms_text

posting_dates = st.dates(min_value=date(1900, 1, 1), max_value=date(9998, 11, 30))


@pytest.mark.parametrize(
    ("posting_date", "rule", "days", "due"),
    [
        (date(2016, 1, 22), Rule.FIXED_DAYS, 30, date(2016, 2, 21)),
        (date(2016, 1, 15), Rule.END_OF_NEXT_MONTH, None, date(2016, 2, 29)),
        (date(2017, 1, 31), Rule.END_OF_NEXT_MONTH, None, date(2017, 2, 28)),
        (date(2016, 12, 31), Rule.END_OF_NEXT_MONTH, None, date(2017, 1, 31)),
        (date(2024, 11, 30), Rule.END_OF_NEXT_MONTH, None, date(2024, 12, 31)),
        (date(2024, 1, 31), Rule.FIXED_DAYS, 29, date(2024, 2, 29)),
        (date(2023, 1, 31), Rule.FIXED_DAYS, 29, date(2023, 3, 1)),
        (date(2024, 3, 5), Rule.FIXED_DAYS, 0, date(2024, 3, 5)),
    ],
)
def test_the_due_date_follows_the_rule(posting_date, rule, days, due):
    assert due_date(posting_date=posting_date, rule=rule, days=days) == due


def test_without_a_rule_an_invoice_is_due_on_its_date():
    assert due_date(posting_date=date(2024, 2, 29), rule="") == date(2024, 2, 29)


@given(posting_dates)
def test_the_end_of_next_month_is_the_last_day_of_the_following_month(posting_date):
    due = due_date(posting_date=posting_date, rule=Rule.END_OF_NEXT_MONTH)

    months_later = (due.year - posting_date.year) * 12 + due.month - posting_date.month
    assert months_later == 1
    assert (due + timedelta(days=1)).day == 1
    assert due.day == calendar.monthrange(due.year, due.month)[1]
    assert posting_date < due <= posting_date + timedelta(days=62)


@given(posting_dates, st.integers(min_value=0, max_value=3650))
def test_fixed_days_fall_exactly_that_many_days_later(posting_date, days):
    due = due_date(posting_date=posting_date, rule=Rule.FIXED_DAYS, days=days)

    assert (due - posting_date).days == days


@given(st.integers(min_value=1901, max_value=2400))
def test_january_gives_the_end_of_february_in_leap_years_and_others(year):
    due = due_date(posting_date=date(year, 1, 31), rule=Rule.END_OF_NEXT_MONTH)

    assert due == date(year, 2, 29 if calendar.isleap(year) else 28)


@pytest.mark.parametrize(
    ("rule", "days", "text"),
    [
        (Rule.FIXED_DAYS, 30, "30 days after the invoice date"),
        (Rule.FIXED_DAYS, 1, "1 day after the invoice date"),
        (Rule.END_OF_NEXT_MONTH, None, "Last day of the month after the invoice date"),
        ("", None, "Due on the invoice date"),
    ],
)
def test_terms_read_as_a_sentence(rule, days, text):
    assert terms_text(rule, days) == text
