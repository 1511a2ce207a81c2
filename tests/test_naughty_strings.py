"""Every text field stores the Big List of Naughty Strings verbatim, and pages show them escaped."""

import json
from pathlib import Path

import pytest
from django.utils.html import escape

from crm.models import (
    Address,
    Contact,
    Customer,
    CustomerGroup,
    SalesPartner,
    Supplier,
    Territory,
)
from crm.services import link_address, link_contact

BLNS = Path(__file__).resolve().parents[2] / "shared" / "data" / "blns" / "blns.json"
STRINGS = [s for s in json.loads(BLNS.read_text(encoding="utf-8")) if s.strip()]

pytestmark = pytest.mark.django_db


def fit(text, field):
    return text[: field.max_length] if field.max_length else text


def text_fields(model):
    return [
        field
        for field in model._meta.get_fields()
        if getattr(field, "get_internal_type", None)
        and field.get_internal_type() in ("CharField", "TextField")
        and not field.choices
        and field.name not in ("code", "country")
    ]


@pytest.mark.parametrize("model", [Customer, Supplier, Contact, Address, SalesPartner])
def test_every_text_field_stores_every_naughty_string_verbatim(company, model):
    fields = text_fields(model)
    base = {
        Customer: lambda: {
            "customer_group": CustomerGroup.objects.get(name="Commercial"),
            "territory": Territory.objects.get(name="Rest of the World"),
            "company": company,
        },
        Supplier: lambda: {"company": company},
        Contact: dict,
        Address: lambda: {"country": "DE"},
        SalesPartner: lambda: {"partner_type": "agent"},
    }[model]
    for index, text in enumerate(STRINGS):
        values = {field.name: fit(text, field) for field in fields}
        if model is SalesPartner:
            values["name"] = fit(f"{index} {text}", model._meta.get_field("name"))
        obj = model.objects.create(**base(), **values)
        obj.refresh_from_db()
        for field in fields:
            assert getattr(obj, field.name) == values[field.name], (field.name, text)


def sample_customers(company):
    customers = []
    for index, text in enumerate(STRINGS):
        customer = Customer.objects.create(
            name=text[:140],
            customer_group=CustomerGroup.objects.get(name="Commercial"),
            territory=Territory.objects.get(name="Rest of the World"),
            company=company,
            tax_id=text[:40],
            notes=text,
        )
        contact = Contact.objects.create(first_name=text[:100], notes=text)
        link_contact(contact=contact, party=customer, primary=index % 2 == 0)
        address = Address.objects.create(line1=text[:255], city=text[:100], country="FR")
        link_address(address=address, party=customer, primary_for=["billing"])
        customers.append(customer)
    return customers


def assert_shown_escaped(response, text):
    assert response.status_code == 200
    html = response.content.decode()
    if "<" in text:
        assert text not in html
    assert escape(text) in html


def test_customer_pages_show_naughty_strings_escaped(admin_client, company):
    for customer in sample_customers(company):
        assert_shown_escaped(admin_client.get(f"/customers/{customer.pk}/"), customer.name)
    for page in range(1, len(STRINGS) // 50 + 2):
        response = admin_client.get("/customers/", {"page": page})
        assert response.status_code == 200


def test_contact_and_address_pages_show_naughty_strings_escaped(admin_client, company):
    sample_customers(company)
    for contact in Contact.objects.all():
        assert_shown_escaped(admin_client.get(f"/contacts/{contact.pk}/"), contact.first_name)
    for address in Address.objects.all():
        assert_shown_escaped(admin_client.get(f"/addresses/{address.pk}/"), address.line1)


def test_searching_with_naughty_strings_never_fails(admin_client, company):
    sample_customers(company)
    for text in STRINGS:
        for url in ("/customers/", "/contacts/", "/addresses/", "/suppliers/"):
            assert admin_client.get(url, {"q": text}).status_code == 200, (url, text)
