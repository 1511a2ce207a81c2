"""In a real browser: log in, create a company and a customer in the admin, see the ledger."""

import pytest

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.usefixtures("migrated_rows")


def test_a_newcomer_creates_a_company_and_a_customer_and_sees_the_ledger(logged_in, live_server):
    page = logged_in
    page.goto(f"{live_server.url}/admin/accounts/company/add/")
    page.fill("#id_name", "Browser Trading")
    page.fill("#id_abbreviation", "BT")
    page.fill("#id_default_currency", "EUR")
    page.click("input[name=_save]")
    page.wait_for_selector("text=was added successfully")

    page.goto(f"{live_server.url}/admin/crm/customer/add/")
    page.fill("#id_name", "Playwright Customer")
    page.select_option("#id_customer_group", label="All Customer Groups › Commercial")
    page.select_option("#id_territory", label="All Territories › Rest of the World")
    page.click("input[name=_save]")
    page.wait_for_selector("text=was added successfully")

    page.goto(f"{live_server.url}/accounts/chart/")
    row = page.locator("tr", has_text="Playwright Customer - BT")
    assert row.count() == 1
    assert "Accounts Receivable - BT" in page.content()
    screenshot(page, "chart-of-accounts")


def test_login_form_error_is_shown_next_to_the_form(page, live_server):
    page.goto(f"{live_server.url}/accounts/chart/")
    assert "/login/" in page.url
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert page.locator(".alert-danger").inner_text().startswith("Please enter a correct")
