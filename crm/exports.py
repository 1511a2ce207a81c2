"""The columns of the customer, contact and address downloads, and their rows.

The customer download uses the customer import's template headers (crm.importing.COLUMNS)
and writes each value the way the import reads it, so a downloaded file can be edited and
imported back. Rows are read CHUNK_SIZE customers at a time, each chunk with its related
rows in a fixed number of queries, so a download of any size holds one chunk in memory.
"""

from collections.abc import Iterator

from django.db.models import OuterRef, Prefetch, Subquery

from crm import selectors
from crm.importing import COLUMN_BY_FIELD
from crm.models import AddressLink, ContactPhone

CHUNK_SIZE = 2000

CUSTOMER_FIELDS = [
    "code",
    "name",
    "customer_type",
    "company",
    "customer_group",
    "territory",
    "tax_id",
    "website",
    "notes",
    "credit_limit",
    "credit_days_rule",
    "credit_days",
    "default_price_list",
    "disabled",
    "contact_first_name",
    "contact_last_name",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
]
CUSTOMER_HEADERS = [COLUMN_BY_FIELD[name].header for name in CUSTOMER_FIELDS]


def customer_rows(customers) -> Iterator[list]:
    """One row per customer of the `crm.selectors.customer_list` queryset, in its order,
    with its primary contact and primary billing address."""
    customers = (
        customers.prefetch_related(None)
        .select_related("company", "default_price_list")
        .prefetch_related(
            Prefetch("contact_links", _primary_contact_links(), to_attr="primary_contacts"),
            Prefetch(
                "address_links",
                AddressLink.objects.filter(is_primary_billing=True).select_related("address"),
                to_attr="billing_addresses",
            ),
        )
    )
    for customer in customers.iterator(chunk_size=CHUNK_SIZE):
        link = customer.primary_contacts[0] if customer.primary_contacts else None
        contact = link.contact if link else None
        address = customer.billing_addresses[0].address if customer.billing_addresses else None
        yield [
            customer.code,
            customer.name,
            customer.get_customer_type_display(),
            customer.company.abbreviation,
            customer.customer_group.name,
            customer.territory.name,
            customer.tax_id,
            customer.website,
            customer.notes,
            customer.credit_limit,
            customer.credit_days_rule.replace("_", " "),
            customer.credit_days,
            customer.default_price_list.name if customer.default_price_list else "",
            customer.disabled,
            contact.first_name if contact else "",
            contact.last_name if contact else "",
            link.primary_email if link else "",
            link.primary_phone if link else "",
            address.line1 if address else "",
            address.line2 if address else "",
            address.city if address else "",
            address.state if address else "",
            address.postal_code if address else "",
            address.country.code if address else "",
        ]


def _primary_contact_links():
    phones = ContactPhone.objects.filter(contact=OuterRef("contact_id"), is_primary=True)
    return selectors.primary_contact_links().annotate(
        primary_phone=Subquery(phones.values("number")[:1])
    )


CONTACT_HEADERS = [
    "Salutation",
    "First name",
    "Middle name",
    "Last name",
    "Designation",
    "Department",
    "Email",
    "Phone",
    "Linked to",
    "Notes",
]


def contact_rows(contacts) -> Iterator[list]:
    """One row per contact of `crm.selectors.contacts_for_list`, with its primary email and
    phone and the parties it is linked to ("code name; ...")."""
    for contact in contacts.iterator(chunk_size=CHUNK_SIZE):
        email = contact.primary_emails[0].email if contact.primary_emails else ""
        phone = contact.primary_phones[0].number if contact.primary_phones else ""
        yield [
            contact.salutation,
            contact.first_name,
            contact.middle_name,
            contact.last_name,
            contact.designation,
            contact.department,
            email,
            phone,
            _parties(contact.links.all()),
            contact.notes,
        ]


ADDRESS_HEADERS = [
    "Title",
    "Type",
    "Address line 1",
    "Address line 2",
    "City",
    "State",
    "Postal code",
    "Country",
    "Phone",
    "Email",
    "Linked to",
]


def address_rows(addresses) -> Iterator[list]:
    """One row per address of `crm.selectors.addresses_for_list`, with the parties it is
    linked to; the country as its ISO code, as the customer import reads it."""
    for address in addresses.iterator(chunk_size=CHUNK_SIZE):
        yield [
            address.title,
            address.get_address_type_display(),
            address.line1,
            address.line2,
            address.city,
            address.state,
            address.postal_code,
            address.country.code,
            address.phone,
            address.email,
            _parties(address.links.all()),
        ]


def _parties(links) -> str:
    parties = (link.customer or link.supplier for link in links)
    return "; ".join(f"{party.code} {party.name}" for party in parties if party is not None)
