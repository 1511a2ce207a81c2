import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from crm.models import Address, AddressLink, Contact, ContactEmail, ContactLink, ContactPhone
from crm.services import (
    add_contact_email,
    add_contact_phone,
    display_phone,
    link_address,
    link_contact,
    normalize_phone,
    set_primary_address,
    set_primary_contact,
    unlink_contact,
)
from tests.factories import CustomerFactory, SupplierFactory
from tests.helpers import requires_postgresql, run_concurrently

pytestmark = pytest.mark.django_db


def contact(first="Ada", last="Lovelace"):
    return Contact.objects.create(first_name=first, last_name=last)


def address(**fields):
    values = {"line1": "1 Main St", "city": "Springfield", "country": "US", **fields}
    return Address.objects.create(**values)


def test_one_contact_belongs_to_several_customers_and_suppliers(company):
    ada = contact()
    first, second = CustomerFactory(company=company), CustomerFactory(company=company)
    supplier = SupplierFactory(company=company)
    for party in (first, second, supplier):
        link_contact(contact=ada, party=party)
    assert ada.links.count() == 3
    assert first.contact_links.get().contact == ada


def test_a_contact_can_be_primary_for_one_customer_and_not_another(company):
    ada = contact()
    first, second = CustomerFactory(company=company), CustomerFactory(company=company)
    link_contact(contact=ada, party=first, primary=True)
    link_contact(contact=ada, party=second)
    assert first.contact_links.get().is_primary
    assert not second.contact_links.get().is_primary


def test_setting_a_new_primary_contact_unsets_the_old_one(customer):
    ada, bob = contact(), contact("Bob", "Builder")
    link_contact(contact=ada, party=customer, primary=True)
    link_contact(contact=bob, party=customer)
    set_primary_contact(party=customer, contact=bob)
    primaries = ContactLink.objects.filter(customer=customer, is_primary=True)
    assert [link.contact for link in primaries] == [bob]


def test_the_database_allows_one_primary_contact_per_party(customer):
    ada, bob = contact(), contact("Bob", "Builder")
    ContactLink.objects.create(contact=ada, customer=customer, is_primary=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactLink.objects.create(contact=bob, customer=customer, is_primary=True)


def test_a_contact_is_linked_to_a_party_once(customer):
    ada = contact()
    ContactLink.objects.create(contact=ada, customer=customer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactLink.objects.create(contact=ada, customer=customer)


def test_a_link_names_exactly_one_party(customer, company):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactLink.objects.create(
            contact=contact(), customer=customer, supplier=SupplierFactory(company=company)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactLink.objects.create(contact=contact())


def test_a_primary_needs_a_link_first(customer):
    with pytest.raises(ValidationError, match="is not a contact of Acme"):
        set_primary_contact(party=customer, contact=contact())


def test_unlinking_leaves_the_contact(customer):
    ada = contact()
    link_contact(contact=ada, party=customer, primary=True)
    unlink_contact(contact=ada, party=customer)
    assert Contact.objects.filter(pk=ada.pk).exists()
    assert not customer.contact_links.exists()


def test_primary_billing_and_shipping_addresses_are_separate(customer):
    office, warehouse = (
        address(title="Office"),
        address(title="Warehouse", address_type="warehouse"),
    )
    link_address(address=office, party=customer, primary_for=["billing", "shipping"])
    link_address(address=warehouse, party=customer)
    set_primary_address(party=customer, address=warehouse, purpose="shipping")
    links = {link.address.title: link for link in customer.address_links.select_related("address")}
    assert links["Office"].is_primary_billing and not links["Office"].is_primary_shipping
    assert links["Warehouse"].is_primary_shipping and not links["Warehouse"].is_primary_billing


def test_the_database_allows_one_primary_billing_address_per_party(customer):
    AddressLink.objects.create(address=address(), customer=customer, is_primary_billing=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        AddressLink.objects.create(address=address(), customer=customer, is_primary_billing=True)


def test_postal_codes_keep_their_leading_zeros():
    assert Address.objects.get(pk=address(postal_code="01234").pk).postal_code == "01234"


def test_an_address_needs_line_city_and_country():
    with pytest.raises(ValidationError) as error:
        Address(line1="", city="", country="").full_clean()
    assert {"line1", "city", "country"} <= error.value.message_dict.keys()


def test_emails_are_checked_and_the_first_is_primary():
    ada = contact()
    first = add_contact_email(contact=ada, email="ada@example.com")
    second = add_contact_email(contact=ada, email="lovelace@example.org")
    assert first.is_primary and not second.is_primary
    add_contact_email(contact=ada, email="lovelace@example.org", primary=True)
    assert list(ada.emails.filter(is_primary=True).values_list("email", flat=True)) == [
        "lovelace@example.org"
    ]
    with pytest.raises(ValidationError):
        ContactEmail(contact=ada, email="not an email").full_clean()


@pytest.mark.parametrize(
    ("raw", "country", "stored"),
    [
        ("030 901820", "DE", "+4930901820"),
        ("+49 30 901820", None, "+4930901820"),
        ("(202) 555-0143", "US", "+12025550143"),
        ("+1-202-555-0143x123", "US", "+12025550143 ext. 123"),
        ("001-202-555-0143", "US", "001-202-555-0143"),
        ("12", "DE", "12"),
        ("  call   me  ", None, "call me"),
        ("(+49) 30 901820", None, "+4930901820"),
        ("\uff0b49 30 901820", None, "+4930901820"),
        ("0049 30 901820", None, "0049 30 901820"),
        ("", "DE", ""),
    ],
)
def test_phones_are_normalised_to_e164_where_possible(raw, country, stored):
    assert normalize_phone(raw, country=country) == stored


def test_phones_are_shown_nicely_and_the_first_is_primary():
    ada = contact()
    phone = add_contact_phone(contact=ada, number="030 901820", country="DE")
    assert phone.is_primary and phone.number == "+4930901820"
    assert display_phone(phone.number) == "+49 30 901820"
    assert display_phone("not a number") == "not a number"
    add_contact_phone(contact=ada, number="+4930901821", primary=True)
    assert ContactPhone.objects.get(contact=ada, is_primary=True).number == "+4930901821"


@requires_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_rows")
def test_two_users_setting_different_primary_contacts_at_once_leave_exactly_one(company):
    customer = CustomerFactory(company=company)
    people = [contact(f"Person{i}") for i in range(4)]
    for person in people:
        link_contact(contact=person, party=customer)

    _, errors = run_concurrently(
        lambda i: set_primary_contact(party=customer, contact=people[i]), threads=4
    )

    assert errors == [None] * 4
    assert ContactLink.objects.filter(customer=customer, is_primary=True).count() == 1
