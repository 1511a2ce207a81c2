"""In a real browser: a customer's receivables panel, its statement (on screen and printed)
and the aging report, sorted and filtered."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Account
from crm.models import Territory
from invoicing.services import Allocation, cancel_invoice, receive_payment
from pricing.models import Item
from tests.browser.conftest import screenshot
from tests.factories import CompanyFactory, CustomerFactory
from tests.invoicing.helpers import submitted

pytestmark = pytest.mark.usefixtures("migrated_rows")


@pytest.fixture
def receivables():
    """Two companies; Northwind owes invoices in every aging bucket, has paid one in part,
    cancelled one and paid an advance, and is over its credit limit; four more customers."""
    today = timezone.localdate()
    company = CompanyFactory(name="Browser Trading", abbreviation="BT")
    other = CompanyFactory(name="Browser Works", abbreviation="BW")
    item = Item.objects.create(code="SERVICE", name="Service")
    europe = Territory.objects.create(
        name="Europe", parent=Territory.objects.get(name="All Territories"), is_group=True
    )
    france = Territory.objects.create(name="France", parent=europe)

    def invoice(customer, amount, days_ago, company=company):
        day = today - timedelta(days=days_ago)
        return submitted(customer, item, "1", amount, posting_date=day, company=company)

    def pay(customer, amount, days_ago, *allocations):
        return receive_payment(
            company=company,
            customer=customer,
            posting_date=today - timedelta(days=days_ago),
            amount=Decimal(amount),
            paid_to=Account.objects.get(company=company, account_type=Account.Type.BANK),
            allocations=[Allocation(inv, Decimal(share)) for inv, share in allocations],
        )

    northwind = CustomerFactory(name="Northwind Traders", company=company, territory=france)
    for amount, days_ago in [("1200", 120), ("860.40", 75), ("2450", 45), ("990", 12)]:
        invoice(northwind, amount, days_ago)
    part_paid = invoice(northwind, "1500", 20)
    cancel_invoice(invoice=invoice(northwind, "300", 15), user=None)
    pay(northwind, "500", 10, (part_paid, "500"))
    pay(northwind, "250", 3)  # an advance
    invoice(northwind, "640", 0)
    invoice(northwind, "410", 30, company=other)
    northwind.credit_limit = Decimal("5000")
    northwind.save()

    for name, amount, days_ago in [
        ("Contoso Ltd", "3100", 95),
        ("Fabrikam Inc", "780.25", 40),
        ("Tailspin Toys", "1999.99", 5),
    ]:
        invoice(CustomerFactory(name=name, company=company), amount, days_ago)
    pay(CustomerFactory(name="Woodgrove Bank", company=company, territory=france), "120", 1)
    return northwind


def test_panel_statement_and_aging(logged_in, live_server, receivables):
    page = logged_in
    page.goto(f"{live_server.url}/customers/{receivables.pk}/")
    panel = page.locator("#receivables")
    expect(panel).to_contain_text("Browser Trading")
    expect(panel).to_contain_text("Browser Works")
    expect(panel.locator("[data-company=BT] [data-credit=over]")).to_have_text("over by 1,890.40")
    expect(panel.locator("[data-company=BT] tbody tr")).to_have_count(5 + 2)
    screenshot(page, "receivables-panel")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "receivables-panel-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    panel.locator("[data-company=BT] a:has-text('Statement')").click()
    page.wait_for_selector("h1:has-text('Statement of account')")
    page.fill("#id_date_from", f"{timezone.localdate().year - 1}-01-01")
    page.click("button:text-is('Show')")
    expect(page.locator("#statement tbody tr")).to_have_count(1 + 10)  # opening, postings
    expect(page.locator("#closing")).to_contain_text("6,890.40 Dr")
    expect(page.locator("#statement .badge:has-text('Cancellation')")).to_have_count(1)
    screenshot(page, "statement")
    page.emulate_media(media="print")
    expect(page.locator("#print-header")).to_be_visible()
    expect(page.locator("#statement-filters")).to_be_hidden()
    expect(page.locator("nav.navbar")).to_be_hidden()
    screenshot(page, "statement-print")
    page.emulate_media(media="screen")

    page.goto(f"{live_server.url}/receivables/aging/")
    rows = page.locator("#aging tbody tr td:first-child a")
    expect(rows).to_have_text(
        ["Northwind Traders", "Contoso Ltd", "Tailspin Toys", "Fabrikam Inc", "Woodgrove Bank"]
    )
    expect(page.locator("#aging-totals")).to_contain_text("12,650.64")
    screenshot(page, "aging")

    page.click("#aging th a:has-text('90+')")
    expect(rows.first).to_have_text("Contoso Ltd")
    page.select_option("#id_territory", label="All Territories › Europe")
    page.click("button:text-is('Show')")
    expect(rows).to_have_text(["Northwind Traders", "Woodgrove Bank"])
    expect(page.locator("#result-count")).to_contain_text("2 customers")
    screenshot(page, "aging-filtered")
