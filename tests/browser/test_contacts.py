"""In a real browser: make another contact the customer's primary contact from its page."""

import pytest

from crm.models import Contact, ContactLink
from crm.services import link_contact
from tests.browser.conftest import screenshot
from tests.factories import CompanyFactory, CustomerFactory

pytestmark = pytest.mark.usefixtures("migrated_rows")


def test_making_the_second_contact_primary_moves_the_badge(logged_in, live_server):
    page = logged_in
    customer = CustomerFactory(name="Browser Trading", company=CompanyFactory())
    ada = Contact.objects.create(first_name="Ada", last_name="Lovelace")
    bob = Contact.objects.create(first_name="Bob", last_name="Builder")
    link_contact(contact=ada, party=customer, primary=True)
    link_contact(contact=bob, party=customer)

    page.goto(f"{live_server.url}/contacts/{bob.pk}/")
    row = page.locator("#links li", has_text="Browser Trading")
    assert row.locator(".badge", has_text="Primary").count() == 0
    row.get_by_role("button", name="Make primary").click()

    page.wait_for_selector("text=Bob Builder is now the primary contact of Browser Trading")
    row = page.locator("#links li", has_text="Browser Trading")
    assert row.locator(".badge", has_text="Primary").count() == 1
    assert row.get_by_role("button", name="Make primary").count() == 0
    screenshot(page, "contact-made-primary")

    page.goto(f"{live_server.url}/contacts/{ada.pk}/")
    row = page.locator("#links li", has_text="Browser Trading")
    assert row.locator(".badge", has_text="Primary").count() == 0
    assert row.get_by_role("button", name="Make primary").count() == 1

    primaries = ContactLink.objects.filter(customer=customer, is_primary=True)
    assert [link.contact for link in primaries] == [bob]
