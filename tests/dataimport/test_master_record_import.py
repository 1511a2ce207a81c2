"""The batched record importer itself: cell parsers (dates as clerks type them, choices,
numbers) and a constant number of queries per batch, whatever the number of rows."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from config.record_import import Choice, Day, Number, WholeNumber
from crm.models import CustomerGroup, PartyLedger, SalesPartner
from pricing.models import Item, ItemPrice, PriceList
from tests.dataimport.test_master_targets import csv_bytes, preview_of, supplier_defaults

# --- cells --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, day",
    [
        ("2026-03-31", date(2026, 3, 31)),
        ("2026-03-31 00:00:00", date(2026, 3, 31)),
        ("2026/03/31", date(2026, 3, 31)),
        ("31.03.2026", date(2026, 3, 31)),
        ("1.4.2026", date(2026, 4, 1)),
        ("31/03/2026", date(2026, 3, 31)),
        ("31-03-2026", date(2026, 3, 31)),
        ("03/31/2026", date(2026, 3, 31)),
        ("05/05/2026", date(2026, 5, 5)),
        ("31 Mar 2026", date(2026, 3, 31)),
        ("31. März 2026".replace("ä", "a"), date(2026, 3, 31)),
        ("March 31, 2026", date(2026, 3, 31)),
        ("", None),
        ("n/a", None),
    ],
)
def test_dates_are_read_as_clerks_type_them(text, day):
    assert Day()(text) == day


@pytest.mark.parametrize(
    "text, message",
    [
        ("04/05/2026", "could be day/month or month/day"),
        ("13/13/2026", "no such day"),
        ("31.03.26", "give the year with four digits"),
        ("tomorrow", "not a date"),
        ("31 Foo 2026", "not a date"),
    ],
)
def test_unclear_dates_are_refused_saying_how_to_write_them(text, message):
    with pytest.raises(ValueError) as refused:
        Day()(text)
    assert str(refused.value).startswith(message)
    assert str(refused.value).endswith("write the date as YYYY-MM-DD (for example 2026-03-31).")


def test_choices_are_read_by_value_label_or_extra_word():
    choice = Choice(SalesPartner.Kind.choices, words={"channel": "channel_partner"})

    assert [choice(text) for text in ("Channel Partner", "channel_partner", "CHANNEL")] == [
        "channel_partner"
    ] * 3
    assert choice("") == ""
    with pytest.raises(ValueError, match="use one of: Channel Partner, Distributor"):
        choice("franchise")


def test_numbers_keep_their_range_and_places():
    percent = Number(places=6, minimum=0, maximum=100, default=Decimal(0))

    assert (percent("12,5"), percent(""), percent("100")) == (Decimal("12.5"), 0, 100)
    for text, message in (("100.1", r"must be at most 100\."), ("abc", r"not a number\.")):
        with pytest.raises(ValueError, match=message):
            percent(text)
    days = WholeNumber(minimum=0, maximum=3650)
    assert days("30") == 30
    with pytest.raises(ValueError, match=r"use a whole number from 0 to 3650\."):
        days("3.5")


# --- queries per batch --------------------------------------------------------------------


def queries_to_import(target, rows, **kwargs) -> int:
    """The statements of the dry run and the write of `rows` (header first). SQLite splits a
    bulk insert by its limit of parameters: an insert run as several in a row counts once."""
    with CaptureQueriesContext(connection) as queries:
        preview = preview_of(target, *rows, content=csv_bytes(*rows), **kwargs)
        assert preview.is_valid, preview.plan.problems[:3]
        with transaction.atomic():
            preview.importer.write(preview.plan)
    statements = [query["sql"].split(" VALUES ")[0] for query in queries.captured_queries]
    return sum(1 for n, sql in enumerate(statements) if n == 0 or sql != statements[n - 1])


def group_rows(count, prefix):
    """Groups in a two-level tree, children before their parents."""
    rows = [["Name", "Parent", "Is group", "Credit limit"]]
    rows += [[f"{prefix} leaf {n}", f"{prefix} group {n % 3}", "no", "100"] for n in range(count)]
    rows += [[f"{prefix} group {n}", "", "yes", ""] for n in range(3)]
    return rows


@pytest.mark.django_db
def test_a_tree_import_costs_the_same_queries_for_10_and_100_rows():
    ten = queries_to_import("customer_groups", group_rows(10, "small"))
    hundred = queries_to_import("customer_groups", group_rows(100, "big"))

    assert ten == hundred
    assert CustomerGroup.objects.filter(parent__name="big group 1").count() == 33


@pytest.mark.django_db
def test_supplier_imports_with_ledgers_cost_the_same_queries_for_10_and_100_rows(company):
    def rows(count, prefix):
        return [["Name"], *([f"{prefix} supplier {n}"] for n in range(count))]

    defaults = {"defaults": supplier_defaults(company)}
    queries_to_import("suppliers", rows(1, "first"), **defaults)  # starts the code series
    ten = queries_to_import("suppliers", rows(10, "small"), **defaults)
    hundred = queries_to_import("suppliers", rows(100, "big"), **defaults)

    assert ten == hundred
    assert PartyLedger.objects.filter(supplier__isnull=False).count() == 111


@pytest.mark.django_db
def test_item_and_price_imports_and_updates_cost_the_same_queries_for_10_and_100_rows(
    django_assert_max_num_queries,
):
    PriceList.objects.create(name="Retail", currency="EUR")

    def items(count, prefix, cost):
        return [["Code", "Name", "Standard cost"]] + [
            [f"{prefix}-{n}", f"Item {n}", cost] for n in range(count)
        ]

    def prices(count, prefix, rate):
        return [["Price list", "Item code", "Rate", "Valid from"]] + [
            ["Retail", f"{prefix}-{n}", rate, "2026-01-01"] for n in range(count)
        ]

    new = [queries_to_import("items", items(n, f"N{n}", "1")) for n in (10, 100)]
    changed = [queries_to_import("items", items(n, f"N{n}", "2"), mode="update") for n in (10, 100)]
    priced = [queries_to_import("item_prices", prices(n, f"N{n}", "3")) for n in (10, 100)]

    assert new[0] == new[1] and changed[0] == changed[1] and priced[0] == priced[1]
    assert Item.objects.filter(standard_cost=2).count() == 110
    assert ItemPrice.objects.count() == 110
    with django_assert_max_num_queries(12):
        queries_to_import("items", items(100, "N100", "3"), mode="update")


@pytest.mark.django_db
def test_the_write_tells_its_progress_after_each_batch(monkeypatch):
    monkeypatch.setattr("config.record_import.BATCH_SIZE", 4)
    Item.objects.create(code="OLD", name="Old")
    rows = [["Code", "Name"], ["OLD", "Renamed"], *([f"N-{n}", "New"] for n in range(9))]
    preview = preview_of("items", *rows, mode="upsert")
    told = []

    with transaction.atomic():
        preview.importer.write(preview.plan, progress=told.append)

    assert told == [4, 8, 9, 10]
    assert Item.objects.get(code="OLD").name == "Renamed"
