"""In a real browser: search the customer list, sort it, filter it by a territory group, and
open a customer's page with its ledger balance."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from crm.models import Territory
from tests.browser.conftest import screenshot
from tests.crm.test_customer_list import add_contact, node, post_sale
from tests.factories import CompanyFactory, CustomerFactory

pytestmark = pytest.mark.usefixtures("migrated_rows")


@pytest.fixture
def paris():
    company = CompanyFactory(name="Browser Trading", abbreviation="BT")
    root = Territory.objects.get(name="All Territories")
    europe = node(Territory, "Europe", root, is_group=True)
    france = node(Territory, "France", node(Territory, "Western Europe", europe, is_group=True))
    japan = node(Territory, "Japan", root)
    customer = CustomerFactory(name="Paris Négoce SA", territory=france, company=company)
    CustomerFactory(name="Paris Trading KK", territory=japan, company=company)
    CustomerFactory(name="Osaka Foods KK", territory=japan, company=company)
    add_contact(customer, "Camille", last_name="Martin", email="camille@negoce.example")
    post_sale(customer, Decimal("1234.50"))
    return customer


def expect_listed(page, names):
    """Waits for the page that the last click loads to list exactly `names`."""
    expect(page.locator("tbody tr td:nth-child(2) a")).to_have_text(names)


def test_search_sort_filter_and_open_a_customer(logged_in, live_server, paris):
    page = logged_in
    page.goto(f"{live_server.url}/customers/")
    page.fill("input[name=q]", "camille@NEGOCE")
    page.click("button:text-is('Search')")
    expect_listed(page, ["Paris Négoce SA"])
    assert "Camille Martin" in page.locator("tbody").inner_text()

    page.fill("input[name=q]", "paris")
    page.click("button:text-is('Search')")
    expect_listed(page, ["Paris Négoce SA", "Paris Trading KK"])
    page.click("th a:has-text('Name')")
    expect_listed(page, ["Paris Trading KK", "Paris Négoce SA"])
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Name ▼")

    page.select_option("#id_territory", label="All Territories › Europe")
    page.click("button:text-is('Apply filters')")
    expect_listed(page, ["Paris Négoce SA"])
    expect(page.locator("#result-count")).to_contain_text("1 customer")
    assert "sort=-name" in page.url and "q=paris" in page.url
    screenshot(page, "customer-list-filtered")

    page.click("text=Paris Négoce SA")
    page.wait_for_selector("h1:has-text('Paris Négoce SA')")
    ledger = page.locator("#ledgers tbody tr", has_text="Paris Négoce SA - BT")
    assert "1,234.50 Dr" in ledger.inner_text()
    assert "Camille Martin" in page.locator("#contacts").inner_text()
    screenshot(page, "customer-detail")
