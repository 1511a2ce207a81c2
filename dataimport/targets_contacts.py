"""The import page's targets for contacts and addresses, each linked to a customer or supplier
by its code (see dataimport.targets)."""

from django.urls import reverse

from crm.importing_addresses import ADDRESS_COLUMNS, AddressImport
from crm.importing_contacts import CONTACT_COLUMNS, ContactImport
from crm.models import Customer, Supplier

from .targets import Target

NO_DEFAULTS = "dataimport.forms.NoDefaultsForm"


def contact_importer(*, mode, defaults, headers, user):
    return ContactImport(mode=mode, headers=headers, user=user)


def address_importer(*, mode, defaults, headers, user):
    return AddressImport(mode=mode, headers=headers, user=user)


def party_links(keys: list[str]) -> list[tuple[str, str]]:
    """New records' keys ("CUST-00012: Jane Doe") -> (key, the page of the customer or
    supplier): two queries, whatever the number of keys."""
    codes = {key.partition(": ")[0] for key in keys}
    pages = {}
    for model, url in ((Supplier, "crm:supplier_detail"), (Customer, "crm:customer_detail")):
        for code, pk in model.objects.filter(code__in=codes).values_list("code", "pk"):
            pages[code] = reverse(url, kwargs={"pk": pk})  # a customer's wins a shared code
    return [(key, pages[key.partition(": ")[0]]) for key in keys if key.partition(": ")[0] in pages]


CONTACTS = Target(
    name="contacts",
    label="Contacts",
    permission="crm.add_contact",
    columns=CONTACT_COLUMNS,
    importer=contact_importer,
    defaults_form=NO_DEFAULTS,
    example={
        "customer_code": "CUST-EXAMPLE",
        "salutation": "Ms",
        "first_name": "Sheryl",
        "last_name": "Baxter",
        "designation": "Head of Purchasing",
        "department": "Purchasing",
        "email": "sheryl.baxter@example.com",
        "phone": "+49 30 901820",
        "country": "Germany",
        "is_primary": "yes",
    },
    # a contact is found by its party and its email or name; the importer says which of
    # those columns a file lacks, since either of two can do
    key_fields=(),
    finds_by="their customer or supplier and their email, else their first and last name",
    links=party_links,
)

ADDRESSES = Target(
    name="addresses",
    label="Addresses",
    permission="crm.add_address",
    columns=ADDRESS_COLUMNS,
    importer=address_importer,
    defaults_form=NO_DEFAULTS,
    example={
        "customer_code": "CUST-EXAMPLE",
        "title": "Head office",
        "address_type": "Billing",
        "line1": "Unter den Linden 1",
        "city": "Berlin",
        "postal_code": "10117",
        "country": "Germany",
        "phone": "+49 30 901820",
        "email": "office@example.com",
        "is_primary_billing": "yes",
        "is_primary_shipping": "no",
    },
    key_fields=(),  # the party and the title, or the first line, postal code and city
    finds_by="their customer or supplier and their title, else their first line, postal code "
    "and city",
    links=party_links,
)

CONTACT_TARGETS = [CONTACTS, ADDRESSES]
