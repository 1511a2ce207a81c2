"""In a real browser: from an invoice's customer, receive a payment, let "Allocate oldest
first" spread it, and see the older invoice Paid and the newer one Partly Paid."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from invoicing.models import Payment
from pricing.models import Item
from tests.browser.conftest import screenshot
from tests.factories import CompanyFactory, CustomerFactory, PaymentFactory
from tests.invoicing.helpers import submitted

pytestmark = pytest.mark.usefixtures("migrated_rows")


@pytest.fixture
def invoices():
    """Two open invoices of Lisbon Paper: 300.00 due 2026-03-01 and 500.00 due 2026-03-10."""
    company = CompanyFactory(name="Browser Trading", abbreviation="BT")
    customer = CustomerFactory(name="Lisbon Paper Lda", company=company)
    item = Item.objects.create(code="REAM", name="Paper ream")
    older = submitted(customer, item, "30", "10", posting_date=date(2026, 3, 1))
    newer = submitted(customer, item, "50", "10", posting_date=date(2026, 3, 10))
    return older, newer


def test_receiving_a_payment_allocated_oldest_first(logged_in, live_server, invoices):
    older, newer = invoices
    customer = older.customer
    page = logged_in

    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("h1")).to_have_text(customer.name)

    page.goto(f"{live_server.url}/payments/new/")
    page.fill("input[name=q]", "lisbon")
    page.click("button:text-is('Find')")
    page.click(f"#customer-matches >> text={customer.name}")
    expect(page.locator("h1")).to_contain_text(f"Receive a payment from {customer.name}")
    expect(page.locator("#id_paid_to option:checked")).to_have_text("Bank - BT")
    page.select_option("#id_mode", "cash")
    expect(page.locator("#id_paid_to option:checked")).to_have_text("Cash - BT")

    page.fill("#id_amount", "650")
    page.fill("#id_reference", "Cash receipt 88")
    page.click("button:text-is('Allocate oldest first')")
    expect(page.locator(f"#id_allocate_{older.pk}")).to_have_value("300.00")
    expect(page.locator(f"#id_allocate_{newer.pk}")).to_have_value("350.00")
    expect(page.locator("[data-allocated-total]")).to_have_text("650.00")
    expect(page.locator("[data-unallocated-total]")).to_have_text("0.00")
    assert not Payment.objects.exists()  # filling the inputs saves nothing

    page.fill(f"#id_allocate_{newer.pk}", "300")  # the totals follow the typing
    expect(page.locator("[data-allocated-total]")).to_have_text("600.00")
    expect(page.locator("[data-unallocated-total]")).to_have_text("50.00")
    page.fill(f"#id_allocate_{newer.pk}", "350")
    page.mouse.move(0, 0)  # no hover effect in the picture
    page.wait_for_timeout(300)
    screenshot(page, "payment-form")

    page.click("button:text-is('Receive payment')")
    expect(page.locator("h1")).to_contain_text("Payment receipt PAY-BT-")
    expect(page.locator("#allocations tbody tr")).to_have_count(2)
    expect(page.locator(".alert-success")).to_contain_text("Allocated:")
    screenshot(page, "payment-detail")

    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.outstanding == 0 and older.status == "Paid"
    assert round(newer.outstanding, 2) == Decimal("150.00")
    assert newer.status_on(date(2026, 3, 5)) == "Partly Paid"
    payment = Payment.objects.get()
    assert (payment.mode, payment.paid_to.name, payment.reference) == (
        "cash",
        "Cash - BT",
        "Cash receipt 88",
    )


def test_an_over_allocation_is_shown_while_typing_and_refused_on_its_row(
    logged_in, live_server, invoices
):
    older, _ = invoices
    page = logged_in
    page.goto(f"{live_server.url}/payments/new/?invoice={older.pk}")
    expect(page.locator("#id_amount")).to_have_value("300.00")
    page.fill("#id_amount", "400")
    page.fill(f"#id_allocate_{older.pk}", "400")
    expect(page.locator("[data-unallocated-total]")).to_have_text("0.00")
    page.fill("#id_amount", "350")
    expect(page.locator("[data-unallocated-total]")).to_have_text("-50.00")
    expect(page.locator("[data-over-allocated]")).to_be_visible()

    page.fill("#id_amount", "400")
    page.click("button:text-is('Receive payment')")
    refusal = page.locator(f"#id_allocate_{older.pk} ~ .invalid-feedback")
    expect(refusal).to_have_text(
        f"{older.number} has 300.00 outstanding; 400.00 cannot be allocated to it."
    )
    assert not Payment.objects.exists()


def test_allocating_an_advance_printing_and_cancelling(logged_in, live_server, invoices):
    older, newer = invoices
    payment = PaymentFactory(customer=older.customer, amount=Decimal("320.00"))
    page = logged_in
    page.goto(f"{live_server.url}/payments/{payment.pk}/")
    page.click("text=Allocate advance")
    screenshot(page, "payment-allocate")
    page.click("button:text-is('Allocate oldest first')")
    expect(page.locator(f"#id_allocate_{older.pk}")).to_have_value("300.00")
    expect(page.locator(f"#id_allocate_{newer.pk}")).to_have_value("20.00")
    page.click("button:text-is('Allocate')")
    expect(page.locator("#unallocated")).to_have_text("0.00")

    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("button:text-is('Print')")).to_be_hidden()
    screenshot(page, "payment-receipt-print")
    page.emulate_media(media="screen")

    page.goto(f"{live_server.url}/payments/")
    expect(page.locator("#payments tbody tr")).to_have_count(1)
    expect(page.locator("#payment-totals")).to_contain_text("320.00")
    screenshot(page, "payment-list")

    page.click(f"text={payment.number}")
    page.click("text=Cancel payment")
    expect(page.locator("#invoices-reopened tbody tr")).to_have_count(2)
    screenshot(page, "payment-cancel")
    page.click("button:text-is('Cancel this payment')")
    expect(page.locator("#payment-status")).to_contain_text("Cancelled")
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.outstanding, newer.outstanding) == (older.total, newer.total)
