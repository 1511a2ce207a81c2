"""The contact pages: list, detail, create and edit with emails and phones, links, delete."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from crm.models import Address, Contact, ContactEmail, ContactLink, ContactPhone, Customer
from crm.services import add_contact_email, add_contact_phone, link_address, link_contact
from tests.factories import CustomerFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def make_contact(first="Ada", last="Lovelace", *, emails=(), phones=(), **fields):
    contact = Contact.objects.create(first_name=first, last_name=last, **fields)
    for email in emails:
        add_contact_email(contact=contact, email=email)
    for number in phones:
        add_contact_phone(contact=contact, number=number)
    return contact


def contact_data(*, emails=(), phones=(), **fields):
    """A POST of the contact form: person fields, then (value, is_primary) rows of each kind."""
    data = {"first_name": "Ada", "last_name": "Lovelace", **fields}
    for prefix, field, rows in (("emails", "email", emails), ("phones", "number", phones)):
        data.update({f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0})
        for index, (value, primary) in enumerate(rows):
            data[f"{prefix}-{index}-{field}"] = value
            if primary:
                data[f"{prefix}-{index}-is_primary"] = "on"
    return data


def german_address_for(party):
    address = Address.objects.create(line1="Unter den Linden 1", city="Berlin", country="DE")
    link_address(address=address, party=party, primary_for=["billing"])
    return address


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def url(name, *args):
    return reverse(f"crm:{name}", args=args)


@pytest.fixture
def sales(role_client):
    return role_client("Sales User")


@pytest.fixture
def ada():
    return make_contact(emails=["ada@example.com"], phones=["+49 30 901820"])


# --- permissions --------------------------------------------------------------------------

PAGES = ["contact_list", "contact_create", "contact_detail", "contact_update", "contact_delete"]


def page_url(name, contact):
    return url(name) if name in ("contact_list", "contact_create") else url(name, contact.pk)


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_login(client, ada, name):
    response = client.get(page_url(name, ada))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("name", PAGES)
def test_users_without_contact_permissions_get_403(role_client, ada, name):
    assert role_client().get(page_url(name, ada)).status_code == 403


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("contact_list", "Accounts User"),
        ("contact_detail", "Accounts User"),
        ("contact_create", "Sales User"),
        ("contact_update", "Sales User"),
        ("contact_delete", "Sales Manager"),
    ],
)
def test_the_right_role_opens_each_page(role_client, ada, name, role):
    assert role_client(role).get(page_url(name, ada)).status_code == 200


def test_an_accounts_user_cannot_create_contacts(role_client):
    response = role_client("Accounts User").post(url("contact_create"), contact_data())
    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_a_sales_user_cannot_delete_a_contact(sales, ada):
    assert sales.post(url("contact_delete", ada.pk)).status_code == 403
    assert Contact.objects.filter(pk=ada.pk).exists()


def test_an_accounts_user_sees_a_contact_without_the_buttons_that_change_it(
    role_client, ada, customer
):
    link_contact(contact=ada, party=customer)
    html = role_client("Accounts User").get(url("contact_detail", ada.pk)).content.decode()
    assert "Acme" in html
    assert "Make primary" not in html and "Unlink" not in html and "Edit" not in html


@pytest.mark.parametrize("action", ["contact_set_primary", "contact_unlink"])
def test_link_actions_need_the_change_permission(role_client, ada, customer, action):
    link = link_contact(contact=ada, party=customer)
    response = role_client("Accounts User").post(url(action, ada.pk, link.pk))
    assert response.status_code == 403
    assert ContactLink.objects.filter(pk=link.pk, is_primary=False).exists()


def test_linking_needs_the_change_permission(role_client, ada, customer):
    response = role_client("Accounts User").post(
        url("contact_link", ada.pk), {"party_type": "customer", "code": customer.code}
    )
    assert response.status_code == 403
    assert not ContactLink.objects.exists()


@pytest.mark.parametrize("action", ["contact_set_primary", "contact_unlink"])
def test_link_actions_only_accept_post(sales, ada, customer, action):
    link = link_contact(contact=ada, party=customer)
    assert sales.get(url(action, ada.pk, link.pk)).status_code == 405


# --- list ---------------------------------------------------------------------------------


def test_the_list_shows_name_role_primary_email_and_phone_and_linked_parties(
    sales, company, customer
):
    ada = make_contact(
        designation="Analyst",
        department="Engines",
        emails=["ada@example.com", "lovelace@example.org"],
        phones=["+4930901820"],
    )
    supplier = SupplierFactory(company=company, name="Babbage Parts")
    link_contact(contact=ada, party=customer)
    link_contact(contact=ada, party=supplier)
    html = sales.get(url("contact_list")).content.decode()
    for text in ("Ada Lovelace", "Analyst", "Engines", "ada@example.com", "+49 30 901820"):
        assert text in html
    assert "lovelace@example.org" not in html
    assert f'href="{url("customer_detail", customer.pk)}">Acme</a>' in html
    assert f'href="{url("supplier_detail", supplier.pk)}">Babbage Parts</a>' in html
    assert customer.code in html and supplier.code in html


@pytest.mark.parametrize(
    "search", ["ada", "LOVE", "ada lovelace", "ada@exam", "030 901820", "+49 30 901820", "901820"]
)
def test_the_list_finds_contacts_by_name_email_or_phone(sales, search):
    make_contact(emails=["ada@example.com"], phones=["+4930901820"])
    make_contact("Grace", "Hopper", emails=["grace@example.com"], phones=["+12025550143"])
    response = sales.get(url("contact_list"), {"q": search})
    assert [c.full_name for c in response.context["page_obj"]] == ["Ada Lovelace"]


def test_a_search_without_matches_says_so(sales, ada):
    response = sales.get(url("contact_list"), {"q": "nobody"})
    assert "No contact matches “nobody”." in response.content.decode()


def test_the_list_is_paginated(sales):
    Contact.objects.bulk_create(Contact(first_name=f"Person {i:03d}") for i in range(51))
    first = sales.get(url("contact_list"))
    second = sales.get(url("contact_list"), {"page": 2})
    assert len(first.context["page_obj"]) == 50
    assert [c.first_name for c in second.context["page_obj"]] == ["Person 050"]
    assert "Page 1 of 2" in first.content.decode()


def test_the_list_costs_the_same_queries_for_many_contacts(
    sales, company, django_assert_max_num_queries
):
    def add_contacts(count):
        for index in range(count):
            contact = make_contact(
                f"Person{index}", emails=[f"p{index}@example.com"], phones=[f"+49309018{index:02d}"]
            )
            link_contact(contact=contact, party=CustomerFactory(company=company))
            link_contact(contact=contact, party=SupplierFactory(company=company))

    add_contacts(2)
    with django_assert_max_num_queries(20) as few:
        sales.get(url("contact_list"))
    add_contacts(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = sales.get(url("contact_list"))
    assert len(response.context["page_obj"]) == 22


# --- detail and links ---------------------------------------------------------------------


def test_the_detail_page_shows_every_field_with_primary_badges(sales, customer):
    ada = make_contact(
        salutation="Countess",
        middle_name="King",
        designation="Analyst",
        department="Engines",
        notes="Prefers letters.",
        emails=["ada@example.com", "lovelace@example.org"],
        phones=["+4930901820", "+4930901821"],
    )
    link_contact(contact=ada, party=customer, primary=True)
    html = sales.get(url("contact_detail", ada.pk)).content.decode()
    for text in (
        "Countess Ada King Lovelace",
        "Analyst",
        "Engines",
        "Prefers letters.",
        "lovelace@example.org",
        "+49 30 901821",
        "Acme",
        customer.code,
    ):
        assert text in html
    assert html.count(">Primary</span>") == 3  # the email, the phone and the link


def test_make_primary_moves_the_primary_contact_of_the_party(sales, customer):
    ada, bob = make_contact(), make_contact("Bob", "Builder")
    link_contact(contact=ada, party=customer, primary=True)
    link = link_contact(contact=bob, party=customer)
    response = sales.post(url("contact_set_primary", bob.pk, link.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("contact_detail", bob.pk)
    assert "Bob Builder is now the primary contact of Acme" in response.content.decode()
    primaries = ContactLink.objects.filter(customer=customer, is_primary=True)
    assert [link.contact for link in primaries] == [bob]


def test_make_primary_works_for_suppliers_too(sales, company, ada):
    supplier = SupplierFactory(company=company)
    link = link_contact(contact=ada, party=supplier)
    sales.post(url("contact_set_primary", ada.pk, link.pk))
    assert ContactLink.objects.get(pk=link.pk).is_primary


def test_a_link_of_another_contact_is_not_found(sales, customer, ada):
    bob = make_contact("Bob", "Builder")
    link = link_contact(contact=bob, party=customer)
    assert sales.post(url("contact_set_primary", ada.pk, link.pk)).status_code == 404
    assert sales.post(url("contact_unlink", ada.pk, link.pk)).status_code == 404
    assert ContactLink.objects.filter(pk=link.pk, is_primary=False).exists()


def test_unlink_removes_the_link_and_keeps_the_contact(sales, customer, ada):
    link = link_contact(contact=ada, party=customer, primary=True)
    response = sales.post(url("contact_unlink", ada.pk, link.pk), follow=True)
    assert "Ada Lovelace is no longer a contact of Acme" in response.content.decode()
    assert not ContactLink.objects.exists()
    assert Contact.objects.filter(pk=ada.pk).exists()


def test_the_link_form_links_to_a_customer_by_code(sales, customer, ada):
    response = sales.post(
        url("contact_link", ada.pk), {"party_type": "customer", "code": customer.code.lower()}
    )
    assert response["Location"] == url("contact_detail", ada.pk)
    assert messages_of(response) == [f"Ada Lovelace is now a contact of {customer}."]
    link = ContactLink.objects.get(contact=ada)
    assert link.customer == customer and not link.is_primary


def test_the_link_form_can_make_the_contact_primary_for_a_supplier(sales, company, ada):
    supplier = SupplierFactory(company=company)
    other = make_contact("Bob", "Builder")
    link_contact(contact=other, party=supplier, primary=True)
    response = sales.post(
        url("contact_link", ada.pk),
        {"party_type": "supplier", "code": supplier.code, "primary": "on"},
    )
    assert messages_of(response) == [f"Ada Lovelace is now the primary contact of {supplier}."]
    primary = ContactLink.objects.get(supplier=supplier, is_primary=True)
    assert primary.contact == ada


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"party_type": "customer", "code": "CUST-99999"}, "code", "There is no customer"),
        ({"party_type": "supplier", "code": ""}, "code", "This field is required."),
        ({"party_type": "planet", "code": "X"}, "party_type", "Select a valid choice."),
    ],
)
def test_the_link_form_shows_bad_input_next_to_the_field_and_links_nothing(
    sales, customer, ada, data, field, message
):
    response = sales.post(url("contact_link", ada.pk), data)
    assert response.status_code == 200
    assert message in response.context["link_form"].errors[field][0]
    assert message in response.content.decode()
    assert not ContactLink.objects.exists()


# --- next ---------------------------------------------------------------------------------


def test_actions_return_to_a_local_next_page(sales, customer, ada):
    link = link_contact(contact=ada, party=customer)
    customer_page = url("customer_detail", customer.pk)
    response = sales.post(url("contact_set_primary", ada.pk, link.pk), {"next": customer_page})
    assert response["Location"] == customer_page


@pytest.mark.parametrize(
    "foreign", ["https://evil.example/", "//evil.example/", "http://evil.example/contacts/"]
)
def test_actions_refuse_to_return_to_a_foreign_host(sales, customer, ada, foreign):
    link = link_contact(contact=ada, party=customer)
    for action in ("contact_set_primary", "contact_unlink"):
        response = sales.post(url(action, ada.pk, link.pk), {"next": foreign})
        assert response["Location"] == url("contact_detail", ada.pk)


def test_saving_the_form_refuses_a_foreign_next(sales, ada):
    response = sales.post(
        url("contact_update", ada.pk) + "?next=https://evil.example/", contact_data()
    )
    assert response["Location"] == url("contact_detail", ada.pk)


def test_saving_the_form_returns_to_a_local_next(sales, ada):
    response = sales.post(url("contact_update", ada.pk) + "?next=/contacts/", contact_data())
    assert response["Location"] == "/contacts/"


# --- create and edit ----------------------------------------------------------------------


def test_creating_a_contact_with_emails_and_phones(sales):
    response = sales.post(
        url("contact_create"),
        contact_data(
            salutation="Countess",
            designation="Analyst",
            emails=[("ada@example.com", False), ("  lovelace@example.org ", True), ("", False)],
            phones=[("+49 30 901820", True), ("call the office", False)],
        ),
    )
    ada = Contact.objects.get()
    assert response["Location"] == url("contact_detail", ada.pk)
    assert (ada.salutation, ada.designation) == ("Countess", "Analyst")
    assert list(ada.emails.values_list("email", "is_primary")) == [
        ("lovelace@example.org", True),
        ("ada@example.com", False),
    ]
    assert list(ada.phones.values_list("number", "is_primary")) == [
        ("+4930901820", True),
        ("call the office", False),
    ]
    assert messages_of(response) == ["Contact Countess Ada Lovelace created."]


def test_without_a_primary_mark_the_first_email_and_phone_are_primary(sales):
    sales.post(
        url("contact_create"),
        contact_data(
            emails=[("", False), ("ada@example.com", False), ("b@example.com", False)],
            phones=[("+4930901820", False)],
        ),
    )
    assert ContactEmail.objects.get(is_primary=True).email == "ada@example.com"
    assert ContactPhone.objects.get(is_primary=True).number == "+4930901820"


def test_creating_for_a_customer_links_it_as_primary_and_returns_to_the_customer(sales, customer):
    response = sales.post(url("contact_create") + f"?customer={customer.pk}", contact_data())
    assert response["Location"] == url("customer_detail", customer.pk)
    link = ContactLink.objects.get()
    assert link.customer == customer and link.is_primary


def test_creating_for_a_supplier_with_a_primary_contact_links_it_as_an_ordinary_one(sales, company):
    supplier = SupplierFactory(company=company)
    bob = make_contact("Bob", "Builder")
    link_contact(contact=bob, party=supplier, primary=True)
    response = sales.post(url("contact_create") + f"?supplier={supplier.pk}", contact_data())
    assert response["Location"] == url("supplier_detail", supplier.pk)
    ada = Contact.objects.get(first_name="Ada")
    assert not ContactLink.objects.get(contact=ada).is_primary
    assert ContactLink.objects.get(supplier=supplier, is_primary=True).contact == bob


def test_the_create_page_names_the_party_it_links_to(sales, customer):
    html = sales.get(url("contact_create") + f"?customer={customer.pk}").content.decode()
    assert f"linked to <strong>{customer}</strong>" in html


@pytest.mark.parametrize("query", ["?customer=999999", "?customer=abc", "?supplier=999999"])
def test_creating_for_an_unknown_party_is_not_found(sales, query):
    assert sales.get(url("contact_create") + query).status_code == 404
    assert sales.post(url("contact_create") + query, contact_data()).status_code == 404
    assert not Contact.objects.exists()


def test_phones_without_plus_use_the_country_of_the_partys_primary_address(sales, customer):
    german_address_for(customer)
    response = sales.get(url("contact_create") + f"?customer={customer.pk}")
    assert "read as numbers of Germany" in response.content.decode()
    sales.post(
        url("contact_create") + f"?customer={customer.pk}",
        contact_data(phones=[("030 901820", True)]),
    )
    assert ContactPhone.objects.get().number == "+4930901820"


def test_editing_uses_the_country_of_a_linked_primary_address(sales, customer, ada):
    link_contact(contact=ada, party=customer)
    german_address_for(customer)
    sales.post(url("contact_update", ada.pk), contact_data(phones=[("030 901821", True)]))
    assert list(ada.phones.values_list("number", flat=True)) == ["+4930901821"]


def test_without_any_address_a_national_number_is_kept_as_typed(sales):
    sales.post(url("contact_create"), contact_data(phones=[("030  901820", True)]))
    assert ContactPhone.objects.get().number == "030 901820"


def test_the_edit_form_shows_the_current_rows_and_phones_nicely(sales, ada):
    response = sales.get(url("contact_update", ada.pk))
    phones = response.context["phones"]
    assert phones.initial == [{"number": "+49 30 901820", "is_primary": True}]
    assert response.context["emails"].initial == [{"email": "ada@example.com", "is_primary": True}]


def test_editing_moves_the_primary_email_and_drops_cleared_rows(sales, customer):
    ada = make_contact(emails=["a@example.com", "b@example.com", "c@example.com"])
    response = sales.post(
        url("contact_update", ada.pk),
        contact_data(
            last_name="King",
            emails=[("a@example.com", False), ("", False), ("c@example.com", True)],
        ),
    )
    assert response.status_code == 302
    ada.refresh_from_db()
    assert ada.last_name == "King"
    assert list(ada.emails.values_list("email", "is_primary")) == [
        ("c@example.com", True),
        ("a@example.com", False),
    ]
    assert messages_of(response) == ["Contact Ada King saved."]


def test_editing_keeps_the_links(sales, customer, ada):
    link_contact(contact=ada, party=customer, primary=True)
    sales.post(url("contact_update", ada.pk), contact_data(first_name="Augusta"))
    assert ContactLink.objects.get().is_primary


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (contact_data(first_name=""), "This field is required."),
        (contact_data(emails=[("not an email", True)]), "Enter a valid email address."),
        (
            contact_data(emails=[("ada@example.com", True), ("ADA@example.com", False)]),
            "ADA@example.com is listed twice.",
        ),
        (
            contact_data(phones=[("+49 30 901820", True), ("+4930901820", False)]),
            "+4930901820 is listed twice.",
        ),
        (contact_data(phones=[("1" * 41, True)]), "at most 40 characters"),
        (
            contact_data(emails=[("a@example.com", True), ("b@example.com", True)]),
            "Mark only one email as primary.",
        ),
        (
            contact_data(phones=[("+4930901820", True), ("+4930901821", True)]),
            "Mark only one phone number as primary.",
        ),
    ],
)
def test_bad_input_shows_a_message_and_writes_nothing(sales, customer, data, message):
    response = sales.post(url("contact_create") + f"?customer={customer.pk}", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Contact.objects.exists()
    assert not ContactEmail.objects.exists() and not ContactLink.objects.exists()


def test_a_bad_email_is_shown_next_to_its_row(sales):
    data = contact_data(emails=[("ada@example.com", True), ("nope", False)])
    response = sales.post(url("contact_create"), data)
    emails = response.context["emails"]
    assert emails.forms[0].errors == {}
    assert emails.forms[1].errors["email"] == ["Enter a valid email address."]
    assert 'name="emails-1-email"' in response.content.decode()


def test_bad_input_on_edit_leaves_the_contact_as_it_was(sales, ada):
    data = contact_data(first_name="", emails=[("new@example.com", True)])
    assert sales.post(url("contact_update", ada.pk), data).status_code == 200
    ada.refresh_from_db()
    assert ada.first_name == "Ada"
    assert list(ada.emails.values_list("email", flat=True)) == ["ada@example.com"]


# --- delete -------------------------------------------------------------------------------


def test_the_delete_page_says_which_parties_it_is_unlinked_from(role_client, company, ada):
    customer = CustomerFactory(company=company, name="Acme")
    supplier = SupplierFactory(company=company, name="Babbage Parts")
    link_contact(contact=ada, party=customer, primary=True)
    link_contact(contact=ada, party=supplier)
    html = role_client("Sales Manager").get(url("contact_delete", ada.pk)).content.decode()
    assert "It is unlinked from:" in html
    assert "Acme" in html and "Babbage Parts" in html and "its primary contact" in html
    assert "1 email address and 1 phone number" in html


def test_deleting_a_contact_removes_its_rows_and_links_but_not_the_parties(
    role_client, customer, ada
):
    link_contact(contact=ada, party=customer, primary=True)
    response = role_client("Sales Manager").post(url("contact_delete", ada.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("contact_list")
    assert "Contact Ada Lovelace deleted." in response.content.decode()
    assert not Contact.objects.exists() and not ContactEmail.objects.exists()
    assert not ContactLink.objects.exists()
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_deleting_returns_to_a_local_next(role_client, customer, ada):
    customer_page = url("customer_detail", customer.pk)
    response = role_client("Sales Manager").post(
        url("contact_delete", ada.pk), {"next": customer_page}
    )
    assert response["Location"] == customer_page
