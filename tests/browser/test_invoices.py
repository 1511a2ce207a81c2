"""In a real browser: raise an invoice for a customer with a default price list and credit
days (the price list, rates and due date fill in), submit it, and see the credit limit refuse
the next one."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import CustomerGroup, SalesPartner, SalesPerson, SalesTeamMember
from invoicing.models import SalesInvoice
from invoicing.services import create_draft_invoice
from pricing.models import Item, ItemPrice, PriceList
from tests.browser.conftest import screenshot
from tests.factories import CompanyFactory, CustomerFactory, CustomerGroupFactory

pytestmark = pytest.mark.usefixtures("migrated_rows")


@pytest.fixture
def shop(transactional_db):
    """Corner Shop, in customer group Retail (Standard Selling, 30 days), limit 100.00."""
    company = CompanyFactory(name="Browser Trading", abbreviation="BT")
    price_list = PriceList.objects.create(name="Standard Selling", currency="EUR")
    for code, name, rate in [("WIDGET", "Widget", "10"), ("GADGET", "Gadget", "2.5")]:
        item = Item.objects.create(code=code, name=name)
        ItemPrice.objects.create(price_list=price_list, item=item, rate=Decimal(rate))
    Item.objects.create(code="DOODAD", name="Doodad")
    retail = CustomerGroupFactory(
        name="Retail",
        parent=CustomerGroup.objects.get(name="All Customer Groups"),
        default_price_list=price_list,
        credit_days_rule="fixed_days",
        credit_days=30,
    )
    partner = SalesPartner.objects.create(
        name="Northern Agents", partner_type="agent", commission_rate=Decimal("5")
    )
    shop = CustomerFactory(
        name="Corner Shop",
        company=company,
        customer_group=retail,
        default_sales_partner=partner,
        credit_limit=Decimal("100"),
    )
    CustomerFactory(name="Corner Bakery", company=company)
    ann = SalesPerson.objects.create(name="Ann", parent=SalesPerson.objects.get(name="Sales Team"))
    SalesTeamMember.objects.create(customer=shop, sales_person=ann, contribution=100)
    return shop


def choose_customer(page, text, name):
    """Search, click the suggestion and wait for that customer's defaults."""
    page.fill("#id_customer_search", text)
    choice = page.locator(f"#customer-suggestions [data-customer-choice]:has-text('{name}')")
    pk = choice.get_attribute("data-customer-choice")
    choice.click()
    page.wait_for_selector(f"#customer-defaults[data-customer='{pk}']")


def save(page):
    page.get_by_role("button", name="Save draft").click()


def line(page, index):
    return page.locator(f"#lines-{index}-row")


def test_an_invoice_fills_in_from_the_customer_and_the_credit_limit_refuses_the_next(
    logged_in, live_server, shop
):
    page = logged_in
    today = timezone.localdate()
    due = (today + timedelta(days=30)).isoformat()

    page.goto(f"{live_server.url}/invoices/new/")
    choose_customer(page, "corner", "Corner Shop")
    assert "Standard Selling" in page.inner_text("#default-price-list")
    assert "from customer group Retail" in page.inner_text("#default-price-list")
    assert "30 days after the invoice date" in page.inner_text("#default-terms")
    page.wait_for_function(f"document.querySelector('#id_due_date').value === '{due}'")
    assert page.input_value("#id_company") == str(shop.company_id)
    assert page.input_value("#id_sales_partner") == str(shop.default_sales_partner_id)
    assert page.input_value("#id_commission_rate") == "5"
    assert "Ann" in page.inner_text("#default-sales-team")

    page.select_option("#id_lines-0-item", label="WIDGET Widget")
    page.wait_for_function("document.querySelector('#id_lines-0-rate').value === '10'")
    page.fill("#id_lines-0-quantity", "3")
    assert line(page, 0).locator("[data-line-amount]").inner_text() == "30.00"

    page.click("[data-add-line]")
    page.select_option("#id_lines-1-item", label="DOODAD Doodad")
    message = line(page, 1).locator("[data-rate-message]")
    assert message.inner_text() == f"No price in Standard Selling on {today}; type a rate."
    page.fill("#id_lines-1-rate", "2.5")
    page.fill("#id_lines-1-quantity", "2")
    assert page.inner_text("#invoice-total") == "35.00"
    assert page.locator("#credit-warning").is_hidden()
    screenshot(page, "invoice-form")

    save(page)
    page.wait_for_url(re.compile(r"/invoices/\d+/$"))
    invoice = SalesInvoice.objects.get()
    assert invoice.due_date.isoformat() == due
    assert round(invoice.total, 2) == Decimal("35.00")

    page.click("text=Submit")
    page.click("button:has-text('Submit invoice')")
    page.wait_for_selector("text=SINV-BT-")
    invoice.refresh_from_db()
    assert invoice.docstatus == "submitted"
    page.reload()
    screenshot(page, "invoice-detail")
    page.emulate_media(media="print")
    assert page.locator("nav.navbar").is_hidden() and page.locator("#invoice-actions").is_hidden()
    assert page.locator("#invoice-lines").is_visible()
    page.emulate_media(media="screen")

    page.goto(f"{live_server.url}/invoices/new/?customer={shop.pk}")
    page.select_option("#id_lines-0-item", label="WIDGET Widget")
    page.wait_for_function("document.querySelector('#id_lines-0-rate').value === '10'")
    page.fill("#id_lines-0-quantity", "7")
    assert page.locator("#credit-warning").is_visible()  # 35.00 + 70.00 > 100.00
    save(page)
    page.wait_for_url(re.compile(r"/invoices/\d+/$"))
    page.click("text=Submit")
    page.click("button:has-text('Submit invoice')")

    refusal = page.locator("#refusal")
    assert refusal.inner_text() == (
        f"Credit limit crossed for {shop}: outstanding 35.00 + this invoice 70.00 > limit "
        "100.00. A Credit Controller can submit it."
    )
    screenshot(page, "invoice-credit-refused")
    assert SalesInvoice.objects.filter(docstatus="draft").count() == 1

    page.goto(f"{live_server.url}/invoices/")
    screenshot(page, "invoice-list")
    assert page.locator("#invoice-table tbody tr").count() == 2


def test_changing_the_posting_date_moves_the_due_date_and_reprices(logged_in, live_server, shop):
    widget = Item.objects.get(code="WIDGET")
    price = ItemPrice.objects.get(item=widget)
    today = timezone.localdate()
    price.valid_upto = today + timedelta(days=9)
    price.save()
    ItemPrice.objects.create(
        price_list=price.price_list, item=widget, rate=12, valid_from=today + timedelta(days=10)
    )
    later = today + timedelta(days=15)
    page = logged_in

    page.goto(f"{live_server.url}/invoices/new/?customer={shop.pk}")
    page.select_option("#id_lines-0-item", label="WIDGET Widget")
    page.wait_for_function("document.querySelector('#id_lines-0-rate').value === '10'")
    page.fill("#id_posting_date", later.isoformat())
    page.dispatch_event("#id_posting_date", "change")

    due = (later + timedelta(days=30)).isoformat()
    page.wait_for_function(f"document.querySelector('#id_due_date').value === '{due}'")
    page.wait_for_function("document.querySelector('#id_lines-0-rate').value === '12'")
    page.wait_for_function("document.querySelector('#invoice-total').textContent === '12.00'")


def test_the_form_works_without_javascript(chromium, live_server, shop, django_user_model):
    django_user_model.objects.create_superuser("plain", password="a long browser password")
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "plain")
    page.fill("#id_password", "a long browser password")
    page.click("button[type=submit]")
    due = (timezone.localdate() + timedelta(days=30)).isoformat()

    page.goto(f"{live_server.url}/invoices/new/")
    page.fill("#id_customer_search", shop.code)
    page.select_option("#id_lines-0-item", label="WIDGET Widget")
    page.fill("#id_lines-0-quantity", "2")
    save(page)

    page.wait_for_selector("text=Filled in the defaults for Corner Shop")
    assert page.input_value("#id_due_date") == due
    assert page.input_value("#id_lines-0-rate") == "10"
    assert "from customer group Retail" in page.inner_text("#default-price-list")
    page.click("button[name=add_line]")
    page.select_option("#id_lines-1-item", label="GADGET Gadget")
    page.fill("#id_lines-1-quantity", "-4")
    page.fill("#id_due_date", (timezone.localdate() - timedelta(days=1)).isoformat())
    save(page)

    quantity_error = line(page, 1).locator("#id_lines-1-quantity ~ .invalid-feedback")
    assert quantity_error.inner_text() == "The quantity must be more than 0."
    assert "is before the posting date" in page.inner_text("#id_due_date ~ .invalid-feedback")
    screenshot(page, "invoice-form-errors")
    assert not SalesInvoice.objects.exists()
    page.fill("#id_lines-1-quantity", "4")
    page.fill("#id_due_date", "")
    save(page)

    page.wait_for_url(re.compile(r"/invoices/\d+/$"))
    invoice = SalesInvoice.objects.get()
    assert invoice.due_date.isoformat() == due
    assert round(invoice.total, 2) == Decimal("30.00")
    context.close()


def test_editing_a_draft_reprices_its_lines_for_another_customer(logged_in, live_server, shop):
    widget = Item.objects.get(code="WIDGET")
    invoice = create_draft_invoice(
        company=shop.company,
        customer=shop,
        posting_date=timezone.localdate(),
        lines=[(widget, "2", None)],
    )
    bakery = CustomerFactory(name="Bakery Plain", company=shop.company)  # no price list
    page = logged_in

    page.goto(f"{live_server.url}/invoices/{invoice.pk}/edit/")
    assert page.input_value("#id_lines-0-rate") == "10"
    choose_customer(page, "bakery plain", "Bakery Plain")
    assert page.inner_text("#default-price-list").strip() == "None: type every rate"
    message = line(page, 0).locator("[data-rate-message]")
    message.wait_for()
    assert message.inner_text() == "Bakery Plain has no price list; type a rate."
    page.fill("#id_lines-0-rate", "9")
    save(page)

    page.wait_for_url(f"{live_server.url}/invoices/{invoice.pk}/")
    invoice.refresh_from_db()
    assert invoice.customer == bakery
    assert round(invoice.total, 2) == Decimal("18.00")
    assert invoice.company == shop.company


def test_the_pages_fit_a_phone(logged_in, live_server, shop):
    invoice = create_draft_invoice(
        company=shop.company,
        customer=shop,
        posting_date=timezone.localdate(),
        lines=[(Item.objects.get(code="WIDGET"), "2", None)],
    )
    page = logged_in
    page.set_viewport_size({"width": 390, "height": 844})
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    for path, name in [
        ("/invoices/", "invoice-list-phone"),
        (f"/invoices/{invoice.pk}/edit/", "invoice-form-phone"),
        (f"/invoices/{invoice.pk}/", "invoice-detail-phone"),
    ]:
        page.goto(f"{live_server.url}{path}")
        screenshot(page, name)
        assert page.evaluate(fits), path
