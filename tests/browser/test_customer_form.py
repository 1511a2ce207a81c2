"""In a real browser: create a customer with its first contact and address; see form errors."""

import re

import pytest

from crm.models import AddressLink, ContactLink, Customer
from tests.browser.conftest import screenshot
from tests.factories import CompanyFactory

pytestmark = pytest.mark.usefixtures("migrated_rows")


@pytest.fixture
def company(transactional_db):
    return CompanyFactory(name="Browser Trading", abbreviation="BT")


def fill_customer(page):
    page.fill("#id_name", "Playwright Customer")
    page.select_option("#id_customer_group", label="All Customer Groups › Commercial")
    page.select_option("#id_territory", label="All Territories › Rest of the World")


def test_a_customer_is_created_with_its_first_contact_and_address(logged_in, live_server, company):
    page = logged_in
    page.goto(f"{live_server.url}/customers/new/")
    assert page.input_value("#id_company") == str(company.pk)  # the only company
    fill_customer(page)
    page.fill("#id_contact-first_name", "Ada")
    page.fill("#id_contact-last_name", "Lovelace")
    page.fill("#id_contact-email", "ada@example.com")
    page.fill("#id_contact-phone", "030 901820")
    page.fill("#id_address-line1", "Unter den Linden 1")
    page.fill("#id_address-city", "Berlin")
    page.fill("#id_address-postal_code", "10117")
    page.select_option("#id_address-country", "DE")
    screenshot(page, "customer-form-filled")
    page.click("main button[type=submit]")

    page.wait_for_url(re.compile(r"/customers/\d+/$"))
    customer = Customer.objects.get(name="Playwright Customer")
    assert page.url == f"{live_server.url}/customers/{customer.pk}/"
    link = ContactLink.objects.get(customer=customer)
    assert link.is_primary and link.contact.full_name == "Ada Lovelace"
    assert link.contact.phones.get().number == "+4930901820"
    address = AddressLink.objects.get(customer=customer)
    assert address.is_primary_billing and address.is_primary_shipping
    assert customer.ledgers.get().account.name == "Playwright Customer - BT"


def test_an_address_without_city_shows_the_error_next_to_the_city(logged_in, live_server, company):
    page = logged_in
    page.goto(f"{live_server.url}/customers/new/")
    fill_customer(page)
    page.fill("#id_address-line1", "Unter den Linden 1")
    page.select_option("#id_address-country", "DE")
    page.click("main button[type=submit]")

    city = page.locator("#id_address-city")
    city.wait_for()
    assert "is-invalid" in city.get_attribute("class")
    feedback = page.locator("#id_address-city + .invalid-feedback")
    assert feedback.inner_text() == "This field is required."
    assert page.locator("#id_name").input_value() == "Playwright Customer"
    assert "Nothing was saved" in page.locator(".alert-danger").inner_text()
    screenshot(page, "customer-form-error")
    assert not Customer.objects.exists()


def test_a_missing_name_shows_the_error_next_to_the_name(logged_in, live_server, company):
    page = logged_in
    page.goto(f"{live_server.url}/customers/new/")
    page.click("main button[type=submit]")
    feedback = page.locator("#id_name + .invalid-feedback")
    assert feedback.inner_text() == "This field is required."
    assert not Customer.objects.exists()
