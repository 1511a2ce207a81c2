"""Importing price lists, items and item prices: currencies, selling or buying, item codes,
price windows in order and never overlapping, in the file or against stored prices."""

from datetime import date
from decimal import Decimal

import pytest

from dataimport.targets import TARGETS
from pricing.models import Item, ItemPrice, PriceList
from tests.dataimport.test_master_targets import counts, import_rows, preview_of, problems
from tests.factories import ItemFactory, UserFactory

pytestmark = pytest.mark.django_db

PRICE_HEADER = ["Price list", "Item code", "Rate", "Valid from", "Valid up to"]


@pytest.fixture
def retail():
    return PriceList.objects.create(name="Retail EUR", currency="EUR")


@pytest.fixture
def widget():
    return ItemFactory(code="WIDGET-01", name="Steel widget")


# --- price lists --------------------------------------------------------------------------


def test_price_lists_import_with_currency_codes_and_flags():
    preview = import_rows(
        "price_lists",
        ["Price list name", "Currency", "Selling", "Buying", "Enabled"],
        ["Retail EUR", "eur", "yes", "no", ""],
        ["Purchase USD", "USD", "no", "yes", "no"],
    )

    assert problems(preview) == []
    retail = PriceList.objects.get(name="Retail EUR")
    assert (retail.currency, retail.selling, retail.buying, retail.enabled) == (
        "EUR",
        True,
        False,
        True,
    )
    purchase = PriceList.objects.get(name="Purchase USD")
    assert (purchase.selling, purchase.buying, purchase.enabled) == (False, True, False)


def test_a_price_list_needs_a_known_currency_and_selling_or_buying():
    preview = preview_of(
        "price_lists",
        ["Name", "Currency", "Selling", "Buying"],
        ["Nowhere", "EURO", "yes", "no"],
        ["Neither", "EUR", "no", "no"],
        ["Blank", "", "", ""],
    )

    assert problems(preview) == [
        "row 2, Currency 'EURO': not an ISO 4217 currency code; use one such as EUR, USD or GBP.",
        "row 3, Selling 'no': a price list is for selling, buying or both; put yes in Selling "
        "or Buying.",
        "row 4, Currency: a currency is required.",
    ]
    assert not PriceList.objects.exists()


def test_switching_off_selling_of_a_buying_list_is_checked_against_the_stored_list():
    PriceList.objects.create(name="Standard", currency="EUR", selling=True, buying=False)

    preview = preview_of("price_lists", ["Name", "Selling"], ["Standard", "no"], mode="update")

    assert problems(preview) == [
        "row 2, Selling 'no': a price list is for selling, buying or both; put yes in Selling "
        "or Buying."
    ]


# --- items --------------------------------------------------------------------------------


def test_items_import_with_defaults_for_empty_cells_and_history():
    clerk = UserFactory(username="clerk")

    preview = import_rows(
        "items",
        ["Item code", "Item name", "UOM", "Standard cost", "Disabled"],
        ["WIDGET-01", "Steel widget", "", "4.20", ""],
        ["BOLT-7", "Bolt", "Box", "", "yes"],
        user=clerk,
    )

    assert problems(preview) == []
    widget = Item.objects.get(code="WIDGET-01")
    assert (widget.unit_of_measure, widget.standard_cost, widget.disabled) == (
        "Nos",
        Decimal("4.2"),
        False,
    )
    bolt = Item.objects.get(code="BOLT-7")
    assert (bolt.unit_of_measure, bolt.standard_cost, bolt.disabled) == ("Box", 0, True)
    history = bolt.history.get()
    assert (history.history_type, history.history_user, history.name) == ("+", clerk, "Bolt")


def test_item_problems_name_row_column_and_value():
    preview = preview_of(
        "items",
        ["Code", "Name", "Unit of measure", "Standard cost"],
        ["", "Nameless", "", ""],
        ["X", "", "a very long unit of measure", "-1"],
        ["Y", "Why", "", "1.1234567"],
    )

    assert problems(preview) == [
        "row 2, Code: a code is required.",
        "row 3, Name: a name is required.",
        "row 3, Unit of measure 'a very long unit of measure': longer than 20 characters (27).",
        "row 3, Standard cost '-1': must be at least 0.",
        "row 4, Standard cost '1.1234567': use at most 6 decimal places.",
    ]


def test_items_update_by_code_without_case_and_reimport_is_unchanged(widget):
    preview = import_rows("items", ["Code", "Standard cost"], ["widget-01", "5"], mode="update")
    assert counts(preview) == (0, 1, 0, 0)
    widget.refresh_from_db()
    assert (widget.code, widget.name, widget.standard_cost) == ("WIDGET-01", "Steel widget", 5)
    assert widget.history.first().history_type == "~"

    again = import_rows("items", ["Code", "Standard cost"], ["WIDGET-01", "5.00"], mode="update")
    assert counts(again) == (0, 0, 1, 0)


def test_insert_or_update_needs_the_columns_a_new_item_needs(widget):
    preview = preview_of("items", ["Code", "Standard cost"], ["WIDGET-01", "5"], mode="upsert")

    assert preview.plan is None
    assert preview.missing_message.startswith("The file has no Name (headed one of: Name, item")


# --- item prices --------------------------------------------------------------------------


def test_item_prices_import_with_windows_written_as_clerks_type_dates(retail, widget):
    preview = import_rows(
        "item_prices",
        PRICE_HEADER,
        ["Retail EUR", "widget-01", "9.90", "2026-01-01", "31.03.2026"],
        ["retail eur", "WIDGET-01", "10.50", "2026/04/01", "06/30/2026"],
        ["Retail EUR", "WIDGET-01", "11", "1 Jul 2026", ""],
        ["Retail EUR", "WIDGET-01", "8", "", "December 31, 2025"],
    )

    assert problems(preview) == []
    windows = list(
        ItemPrice.objects.order_by("rate").values_list("rate", "valid_from", "valid_upto")
    )
    assert windows == [
        (Decimal(8), None, date(2025, 12, 31)),
        (Decimal("9.9"), date(2026, 1, 1), date(2026, 3, 31)),
        (Decimal("10.5"), date(2026, 4, 1), date(2026, 6, 30)),
        (Decimal(11), date(2026, 7, 1), None),
    ]
    assert preview.plan.new_keys(1) == ["Retail EUR › WIDGET-01 › 2026-01-01"]


def test_overlapping_windows_in_the_file_are_refused_naming_both_rows(retail, widget):
    preview = import_rows(
        "item_prices",
        PRICE_HEADER,
        ["Retail EUR", "WIDGET-01", "9.90", "2026-01-01", "2026-06-30"],
        ["Retail EUR", "WIDGET-01", "10.50", "2026-06-01", ""],
    )

    assert problems(preview) == [
        "row 2, Valid from '2026-01-01': overlaps row 3 (valid from 2026-06-01 until further "
        "notice) for the same item and price list; end one before the other starts.",
        "row 3, Valid from '2026-06-01': overlaps row 2 (valid 2026-01-01 to 2026-06-30) for "
        "the same item and price list; end one before the other starts.",
    ]
    assert not ItemPrice.objects.exists()


def test_the_same_item_in_another_list_does_not_overlap(retail, widget):
    PriceList.objects.create(name="Wholesale EUR", currency="EUR")

    preview = preview_of(
        "item_prices",
        PRICE_HEADER,
        ["Retail EUR", "WIDGET-01", "9.90", "", ""],
        ["Wholesale EUR", "WIDGET-01", "7.50", "", ""],
    )

    assert problems(preview) == []


def test_a_window_overlapping_a_stored_price_is_refused_naming_that_price(retail, widget):
    ItemPrice.objects.create(price_list=retail, item=widget, rate=9, valid_from=date(2026, 1, 1))

    preview = preview_of(
        "item_prices", PRICE_HEADER, ["Retail EUR", "WIDGET-01", "10", "2026-03-01", ""]
    )

    assert problems(preview) == [
        "row 2, Valid from '2026-03-01': WIDGET-01 already has a price in Retail EUR valid from "
        "2026-01-01 until further notice; end it first or choose dates outside it."
    ]


def test_a_file_can_end_a_stored_price_and_add_the_next_one(retail, widget):
    stored = ItemPrice.objects.create(
        price_list=retail, item=widget, rate=9, valid_from=date(2026, 1, 1)
    )

    preview = import_rows(
        "item_prices",
        PRICE_HEADER,
        ["Retail EUR", "WIDGET-01", "9", "2026-01-01", "2026-02-28"],
        ["Retail EUR", "WIDGET-01", "10", "2026-03-01", ""],
        mode="upsert",
    )

    assert problems(preview) == []
    assert counts(preview) == (1, 1, 0, 0)
    stored.refresh_from_db()
    assert stored.valid_upto == date(2026, 2, 28)
    assert stored.history.first().history_type == "~"


def test_price_windows_in_the_wrong_order_and_unclear_dates_are_refused(retail, widget):
    preview = preview_of(
        "item_prices",
        PRICE_HEADER,
        ["Retail EUR", "WIDGET-01", "1", "2026-05-01", "2026-04-30"],
        ["Retail EUR", "WIDGET-01", "1", "04/05/2027", ""],
        ["Retail EUR", "WIDGET-01", "1", "2027-02-30", ""],
        ["Retail EUR", "WIDGET-01", "1", "next week", "1.1.26"],
        ["Retail EUR", "GADGET", "", "", ""],
    )

    assert problems(preview) == [
        "row 2, Valid up to '2026-04-30': comes before valid from (2026-05-01); swap the dates.",
        "row 3, Valid from '04/05/2027': could be day/month or month/day; write the date as "
        "YYYY-MM-DD (for example 2026-03-31).",
        "row 4, Valid from '2027-02-30': no such day; write the date as YYYY-MM-DD (for example "
        "2026-03-31).",
        "row 5, Valid from 'next week': not a date; write the date as YYYY-MM-DD (for example "
        "2026-03-31).",
        "row 5, Valid up to '1.1.26': give the year with four digits; write the date as "
        "YYYY-MM-DD (for example 2026-03-31).",
        "row 6, Item code 'GADGET': no item has this code; check the spelling, or add the "
        "item first.",
        "row 6, Rate: a rate is required.",
    ]


def test_item_prices_are_found_by_list_item_and_valid_from(retail, widget):
    ItemPrice.objects.create(price_list=retail, item=widget, rate=9, valid_from=None)

    preview = import_rows(
        "item_prices",
        ["Price list", "Item code", "Rate", "Valid from"],
        ["Retail EUR", "WIDGET-01", "9.5", ""],
        mode="update",
    )

    assert counts(preview) == (0, 1, 0, 0)
    assert ItemPrice.objects.get().rate == Decimal("9.5")
    unknown = preview_of(
        "item_prices",
        ["Price list", "Item code", "Rate", "Valid from"],
        ["Retail EUR", "WIDGET-01", "9.5", "2030-01-01"],
        mode="update",
    )
    assert problems(unknown) == [
        "row 2, Price list 'Retail EUR': no item price has this price list, item code and "
        "valid from; use insert-or-update to add it."
    ]


def test_new_item_prices_and_items_link_to_their_pages(retail, widget):
    prices = import_rows("item_prices", PRICE_HEADER, ["Retail EUR", "WIDGET-01", "9", "", ""])
    items = import_rows("items", ["Code", "Name"], ["BOLT-7", "Bolt"])

    assert TARGETS["item_prices"].links(prices.plan.new_keys(5)) == [
        ("Retail EUR › WIDGET-01 › ", f"/pricing/price-lists/{retail.pk}/")
    ]
    bolt = Item.objects.get(code="BOLT-7")
    assert TARGETS["items"].links(items.plan.new_keys(5)) == [
        ("BOLT-7", f"/pricing/items/{bolt.pk}/edit/")
    ]
