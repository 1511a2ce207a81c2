"""In a real browser: add an item price, then see an overlapping one refused by its dates."""

from datetime import date

import pytest

from pricing.models import Item, ItemPrice, PriceList
from pricing.services import add_item_price
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.usefixtures("migrated_rows")

CLASH = (
    "WIDGET already has a price in Standard Selling valid 2026-01-01 to 2026-06-30; "
    "end it first or choose dates outside it."
)


def add_price(page, *, rate, valid_from, valid_upto):
    page.click("text=Add item price")
    page.select_option("#id_item", label="WIDGET Widget")
    page.fill("#id_rate", rate)
    page.fill("#id_valid_from", valid_from)
    page.fill("#id_valid_upto", valid_upto)
    page.click("main button[type=submit]")


def test_adding_an_item_price_and_seeing_an_overlap_refused(logged_in, live_server):
    price_list = PriceList.objects.create(name="Standard Selling", currency="EUR")
    Item.objects.create(code="WIDGET", name="Widget")
    page = logged_in

    page.goto(f"{live_server.url}/pricing/price-lists/")
    page.click("text=Standard Selling")
    add_price(page, rate="10", valid_from="2026-01-01", valid_upto="2026-06-30")
    page.wait_for_selector("text=Price added")
    assert page.locator("tbody tr", has_text="WIDGET").count() == 1

    add_price(page, rate="12", valid_from="2026-06-01", valid_upto="")
    refusal = page.locator("#id_valid_from ~ .invalid-feedback")
    assert refusal.inner_text() == CLASH
    screenshot(page, "pricing-overlap-refused")

    assert ItemPrice.objects.filter(price_list=price_list).count() == 1


def test_ending_a_price_from_the_price_list(logged_in, live_server):
    price_list = PriceList.objects.create(name="Standard Selling", currency="EUR")
    item = Item.objects.create(code="WIDGET", name="Widget")
    price = add_item_price(price_list=price_list, item=item, rate=5)
    page = logged_in

    page.goto(f"{live_server.url}/pricing/price-lists/{price_list.pk}/")
    page.click("text=End")
    page.fill("#id_valid_upto", "2026-03-31")
    page.click("button:has-text('End price')")
    page.wait_for_selector("text=Price of WIDGET ends 2026-03-31.")

    price.refresh_from_db()
    assert price.valid_upto == date(2026, 3, 31)
