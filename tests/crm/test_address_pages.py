"""The address pages: list with filters, detail with primary billing and shipping, forms, delete."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from crm.models import Address, AddressLink, Customer
from crm.services import link_address
from tests.factories import CustomerFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def make_address(**fields):
    values = {"line1": "Unter den Linden 1", "city": "Berlin", "country": "DE", **fields}
    return Address.objects.create(**values)


def address_data(**fields):
    """A POST of the address form."""
    return {
        "address_type": "billing",
        "line1": "Unter den Linden 1",
        "city": "Berlin",
        "postal_code": "10117",
        "country": "DE",
        **fields,
    }


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def url(name, *args):
    return reverse(f"crm:{name}", args=args)


@pytest.fixture
def sales(role_client):
    return role_client("Sales User")


@pytest.fixture
def office():
    return make_address(title="Head office", postal_code="10117")


# --- permissions --------------------------------------------------------------------------

PAGES = ["address_list", "address_create", "address_detail", "address_update", "address_delete"]


def page_url(name, address):
    return url(name) if name in ("address_list", "address_create") else url(name, address.pk)


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_login(client, office, name):
    response = client.get(page_url(name, office))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("name", PAGES)
def test_users_without_address_permissions_get_403(role_client, office, name):
    assert role_client().get(page_url(name, office)).status_code == 403


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("address_list", "Accounts User"),
        ("address_detail", "Accounts User"),
        ("address_create", "Sales User"),
        ("address_update", "Sales User"),
        ("address_delete", "Sales Manager"),
    ],
)
def test_the_right_role_opens_each_page(role_client, office, name, role):
    assert role_client(role).get(page_url(name, office)).status_code == 200


def test_an_accounts_user_cannot_create_or_edit_addresses(role_client, office):
    client = role_client("Accounts User")
    assert client.post(url("address_create"), address_data(line1="Elsewhere")).status_code == 403
    assert client.post(url("address_update", office.pk), address_data()).status_code == 403
    assert list(Address.objects.values_list("line1", flat=True)) == ["Unter den Linden 1"]


def test_a_sales_user_cannot_delete_an_address(sales, office):
    assert sales.post(url("address_delete", office.pk)).status_code == 403
    assert Address.objects.filter(pk=office.pk).exists()


@pytest.mark.parametrize(
    ("action", "extra"), [("address_set_primary", ("billing",)), ("address_unlink", ())]
)
def test_link_actions_need_the_change_permission(role_client, customer, office, action, extra):
    link = link_address(address=office, party=customer)
    response = role_client("Accounts User").post(url(action, office.pk, link.pk, *extra))
    assert response.status_code == 403
    assert AddressLink.objects.filter(pk=link.pk, is_primary_billing=False).exists()


def test_linking_needs_the_change_permission(role_client, customer, office):
    response = role_client("Accounts User").post(
        url("address_link", office.pk), {"party_type": "customer", "code": customer.code}
    )
    assert response.status_code == 403
    assert not AddressLink.objects.exists()


def test_an_accounts_user_sees_an_address_without_the_buttons_that_change_it(
    role_client, customer, office
):
    link_address(address=office, party=customer)
    html = role_client("Accounts User").get(url("address_detail", office.pk)).content.decode()
    assert "Acme" in html
    assert "Make primary" not in html and "Unlink" not in html and "Edit" not in html


# --- list ---------------------------------------------------------------------------------


def test_the_list_shows_the_formatted_address_type_and_linked_parties(sales, company, customer):
    office = make_address(title="Head office", postal_code="10117")
    supplier = SupplierFactory(company=company, name="Babbage Parts")
    link_address(address=office, party=customer)
    link_address(address=office, party=supplier)
    html = sales.get(url("address_list")).content.decode()
    assert "Head office" in html and "Billing" in html
    assert "Unter den Linden 1, 10117 Berlin, Germany" in html
    assert f'href="{url("customer_detail", customer.pk)}">Acme</a>' in html
    assert f'href="{url("supplier_detail", supplier.pk)}">Babbage Parts</a>' in html


@pytest.mark.parametrize(
    ("params", "found"),
    [
        ({"q": "head"}, ["Head office"]),
        ({"q": "linden berlin"}, ["Head office"]),
        ({"q": "springfield"}, ["Plant"]),
        ({"q": "01234"}, ["Plant"]),
        ({"country": "DE"}, ["Head office"]),
        ({"address_type": "plant"}, ["Plant"]),
        ({"country": "US", "address_type": "billing"}, []),
        ({"country": "XX"}, ["Head office", "Plant"]),
    ],
)
def test_the_list_searches_and_filters_by_country_and_type(sales, params, found):
    make_address(title="Head office")
    make_address(
        title="Plant",
        address_type="plant",
        line1="1 Main St",
        city="Springfield",
        postal_code="01234",
        country="US",
    )
    response = sales.get(url("address_list"), params)
    assert [address.title for address in response.context["page_obj"]] == found


def test_the_country_filter_offers_the_countries_that_have_addresses(sales):
    make_address(country="DE")
    make_address(country="FR")
    response = sales.get(url("address_list"))
    choices = response.context["filters"].fields["country"].choices
    assert choices == [("", "Any country"), ("FR", "France"), ("DE", "Germany")]


def test_the_list_is_paginated(sales):
    Address.objects.bulk_create(
        Address(title=f"Site {i:03d}", line1="Road 1", city="Town", country="DE") for i in range(51)
    )
    second = sales.get(url("address_list"), {"page": 2, "country": "DE"})
    assert [a.title for a in second.context["page_obj"]] == ["Site 050"]
    assert "country=DE" in second.content.decode()


def test_the_list_costs_the_same_queries_for_many_addresses(
    sales, company, django_assert_max_num_queries
):
    def add_addresses(count):
        for index in range(count):
            address = make_address(title=f"Site {index}")
            link_address(address=address, party=CustomerFactory(company=company))
            link_address(address=address, party=SupplierFactory(company=company))

    add_addresses(2)
    with django_assert_max_num_queries(20) as few:
        sales.get(url("address_list"))
    add_addresses(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = sales.get(url("address_list"))
    assert len(response.context["page_obj"]) == 22


# --- detail and links ---------------------------------------------------------------------


def test_the_detail_page_shows_the_address_as_its_country_writes_it(sales):
    london = make_address(
        title="London office",
        line1="10 Downing Street",
        city="London",
        postal_code="SW1A 2AA",
        country="GB",
        phone="+442079250918",
        email="office@example.com",
    )
    html = sales.get(url("address_detail", london.pk)).content.decode()
    assert "10 Downing Street<br>LONDON<br>SW1A 2AA<br>United Kingdom" in html
    assert "+44 20 7925 0918" in html and "office@example.com" in html


def test_the_detail_page_shows_primary_billing_and_shipping_badges_per_link(sales, company, office):
    acme = CustomerFactory(company=company, name="Acme")
    babbage = CustomerFactory(company=company, name="Babbage")
    link_address(address=office, party=acme, primary_for=["billing"])
    link_address(address=office, party=babbage, primary_for=["shipping"])
    response = sales.get(url("address_detail", office.pk))
    links = {link.customer.name: link for link in response.context["links"]}
    html = response.content.decode()
    assert links["Acme"].is_primary_billing and links["Babbage"].is_primary_shipping
    assert html.count(">Primary billing</span>") == 1
    assert html.count(">Primary shipping</span>") == 1
    assert html.count("Make primary billing") == 1 and html.count("Make primary shipping") == 1


@pytest.mark.parametrize("purpose", ["billing", "shipping"])
def test_make_primary_moves_the_partys_primary_address_for_that_purpose(
    sales, customer, office, purpose
):
    old = make_address(title="Old")
    link_address(address=old, party=customer, primary_for=["billing", "shipping"])
    link = link_address(address=office, party=customer)
    response = sales.post(url("address_set_primary", office.pk, link.pk, purpose), follow=True)
    assert response.redirect_chain[-1][0] == url("address_detail", office.pk)
    assert f"is now the primary {purpose} address of Acme" in response.content.decode()
    flags = {
        a.address.title: (a.is_primary_billing, a.is_primary_shipping)
        for a in AddressLink.objects.select_related("address")
    }
    other = "shipping" if purpose == "billing" else "billing"
    assert flags["Head office"] == (purpose == "billing", purpose == "shipping")
    assert flags["Old"] == (other == "billing", other == "shipping")


def test_an_unknown_purpose_is_not_found(sales, customer, office):
    link = link_address(address=office, party=customer)
    assert sales.post(url("address_set_primary", office.pk, link.pk, "holiday")).status_code == 404


def test_a_link_of_another_address_is_not_found(sales, customer, office):
    other = make_address(title="Other")
    link = link_address(address=other, party=customer)
    response = sales.post(url("address_set_primary", office.pk, link.pk, "billing"))
    assert response.status_code == 404
    assert sales.post(url("address_unlink", office.pk, link.pk)).status_code == 404
    assert AddressLink.objects.filter(pk=link.pk, is_primary_billing=False).exists()


def test_unlink_removes_the_link_and_keeps_the_address(sales, customer, office):
    link = link_address(address=office, party=customer, primary_for=["billing"])
    response = sales.post(url("address_unlink", office.pk, link.pk), follow=True)
    assert "Head office is no longer an address of Acme" in response.content.decode()
    assert not AddressLink.objects.exists()
    assert Address.objects.filter(pk=office.pk).exists()


def test_the_link_form_links_to_a_supplier_as_primary_shipping(sales, company, office):
    supplier = SupplierFactory(company=company)
    response = sales.post(
        url("address_link", office.pk),
        {"party_type": "supplier", "code": supplier.code, "primary_shipping": "on"},
    )
    assert response["Location"] == url("address_detail", office.pk)
    link = AddressLink.objects.get()
    assert link.supplier == supplier
    assert link.is_primary_shipping and not link.is_primary_billing


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"party_type": "supplier", "code": "SUPP-99999"}, "code", "There is no supplier"),
        ({"party_type": "customer"}, "code", "This field is required."),
        ({"code": "CUST-00001"}, "party_type", "This field is required."),
    ],
)
def test_the_link_form_shows_bad_input_next_to_the_field_and_links_nothing(
    sales, office, data, field, message
):
    response = sales.post(url("address_link", office.pk), data)
    assert response.status_code == 200
    assert message in response.context["link_form"].errors[field][0]
    assert message in response.content.decode()
    assert not AddressLink.objects.exists()


@pytest.mark.parametrize(
    "foreign", ["https://evil.example/", "//evil.example/", "https:///evil.example/"]
)
def test_actions_refuse_to_return_to_a_foreign_host(sales, customer, office, foreign):
    link = link_address(address=office, party=customer)
    response = sales.post(
        url("address_set_primary", office.pk, link.pk, "billing"), {"next": foreign}
    )
    assert response["Location"] == url("address_detail", office.pk)


def test_actions_return_to_a_local_next_page(sales, customer, office):
    link = link_address(address=office, party=customer)
    customer_page = url("customer_detail", customer.pk)
    response = sales.post(url("address_unlink", office.pk, link.pk), {"next": customer_page})
    assert response["Location"] == customer_page


# --- create and edit ----------------------------------------------------------------------


def test_creating_an_address_keeps_the_postal_code_and_normalises_the_phone(sales):
    response = sales.post(
        url("address_create"),
        address_data(
            title="Plant",
            address_type="plant",
            line1="1 Main St",
            line2="Gate 4",
            city="Springfield",
            state="MA",
            postal_code="01101",
            country="US",
            phone="(202) 555-0143",
            email="plant@example.com",
        ),
    )
    plant = Address.objects.get()
    assert response["Location"] == url("address_detail", plant.pk)
    assert (plant.postal_code, plant.phone, plant.state) == ("01101", "+12025550143", "MA")
    assert messages_of(response) == ["Address Plant created."]


def test_creating_for_a_customer_makes_it_primary_billing_and_shipping(sales, customer):
    response = sales.post(url("address_create") + f"?customer={customer.pk}", address_data())
    assert response["Location"] == url("customer_detail", customer.pk)
    link = AddressLink.objects.get()
    assert link.customer == customer
    assert link.is_primary_billing and link.is_primary_shipping


def test_creating_for_a_supplier_fills_only_the_missing_primary(sales, company):
    supplier = SupplierFactory(company=company)
    link_address(address=make_address(title="Billing"), party=supplier, primary_for=["billing"])
    response = sales.post(url("address_create") + f"?supplier={supplier.pk}", address_data())
    assert response["Location"] == url("supplier_detail", supplier.pk)
    new = AddressLink.objects.get(address__title="")
    assert new.is_primary_shipping and not new.is_primary_billing


@pytest.mark.parametrize("query", ["?customer=999999", "?supplier=x1"])
def test_creating_for_an_unknown_party_is_not_found(sales, query):
    assert sales.post(url("address_create") + query, address_data()).status_code == 404
    assert not Address.objects.exists()


def test_editing_an_address_normalises_the_phone_for_its_new_country(sales, office):
    response = sales.post(
        url("address_update", office.pk),
        address_data(title="Paris office", city="Paris", country="FR", phone="01 42 68 53 00"),
    )
    assert response["Location"] == url("address_detail", office.pk)
    office.refresh_from_db()
    assert (office.title, office.country.code, office.phone) == (
        "Paris office",
        "FR",
        "+33142685300",
    )


def test_the_edit_form_shows_the_phone_nicely(sales):
    address = make_address(phone="+4930901820")
    response = sales.get(url("address_update", address.pk))
    assert response.context["form"].initial["phone"] == "+49 30 901820"


def test_editing_keeps_the_links(sales, customer, office):
    link_address(address=office, party=customer, primary_for=["billing"])
    sales.post(url("address_update", office.pk), address_data(title="Renamed"))
    assert AddressLink.objects.get().is_primary_billing


def test_saving_returns_to_a_local_next_and_refuses_a_foreign_one(sales, office):
    local = sales.post(url("address_update", office.pk) + "?next=/addresses/", address_data())
    assert local["Location"] == "/addresses/"
    foreign = sales.post(
        url("address_update", office.pk), {**address_data(), "next": "https://evil.example/"}
    )
    assert foreign["Location"] == url("address_detail", office.pk)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("line1", "", "This field is required."),
        ("city", "", "This field is required."),
        ("country", "", "This field is required."),
        ("country", "XX", "Select a valid choice."),
        ("email", "not an email", "Enter a valid email address."),
        ("address_type", "castle", "Select a valid choice."),
        ("postal_code", "1" * 21, "at most 20 characters"),
    ],
)
def test_bad_input_shows_a_message_next_to_the_field_and_writes_nothing(
    sales, customer, field, value, message
):
    response = sales.post(
        url("address_create") + f"?customer={customer.pk}", address_data(**{field: value})
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert message in response.content.decode()
    assert not Address.objects.exists() and not AddressLink.objects.exists()


def test_bad_input_on_edit_leaves_the_address_as_it_was(sales, office):
    response = sales.post(url("address_update", office.pk), address_data(title="New", city=""))
    assert response.status_code == 200
    office.refresh_from_db()
    assert (office.title, office.city) == ("Head office", "Berlin")


# --- delete -------------------------------------------------------------------------------


def test_the_delete_page_says_which_parties_it_is_unlinked_from(role_client, customer, office):
    link_address(address=office, party=customer, primary_for=["billing", "shipping"])
    html = role_client("Sales Manager").get(url("address_delete", office.pk)).content.decode()
    assert "It is unlinked from:" in html and "Acme" in html
    assert "its primary billing address" in html and "its primary shipping address" in html


def test_deleting_an_address_removes_its_links_but_not_the_parties(role_client, customer, office):
    link_address(address=office, party=customer, primary_for=["billing"])
    response = role_client("Sales Manager").post(url("address_delete", office.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("address_list")
    assert "Address Head office deleted." in response.content.decode()
    assert not Address.objects.exists() and not AddressLink.objects.exists()
    assert Customer.objects.filter(pk=customer.pk).exists()
