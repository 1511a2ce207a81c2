"""Every page, as an anonymous user, a user without permissions and the right role."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from crm.models import Address, Contact, SalesPartner, SalesPerson
from crm.services import link_address, link_contact
from pricing.models import Item, PriceList
from pricing.services import add_item_price
from tests.dataimport.helpers import previewed_log
from tests.factories import PaymentFactory, SalesInvoiceFactory, SupplierFactory

pytestmark = pytest.mark.django_db

# URL name -> the role that may open it. Names not listed here make the test fail, so a new
# page cannot be added without deciding who may see it.
ROLE_FOR = {
    "home": None,  # any logged-in user
    "accounts:chart": "Accounts User",
    "crm:customer_list": "Sales User",
    "crm:customer_export": "Sales User",
    "crm:customer_detail": "Sales User",
    "crm:customer_create": "Sales User",
    "crm:customer_update": "Sales User",
    "crm:customer_sales_team": "Sales User",
    "crm:customer_delete": "Sales Manager",
    "crm:contact_list": "Sales User",
    "crm:contact_export": "Sales User",
    "crm:contact_detail": "Sales User",
    "crm:contact_create": "Sales User",
    "crm:contact_update": "Sales User",
    "crm:contact_link": "Sales User",
    "crm:contact_unlink": "Sales User",
    "crm:contact_set_primary": "Sales User",
    "crm:contact_delete": "Sales Manager",
    "crm:address_list": "Sales User",
    "crm:address_export": "Sales User",
    "crm:address_detail": "Sales User",
    "crm:address_create": "Sales User",
    "crm:address_update": "Sales User",
    "crm:address_link": "Sales User",
    "crm:address_unlink": "Sales User",
    "crm:address_set_primary": "Sales User",
    "crm:address_delete": "Sales Manager",
    "crm:supplier_list": "Sales User",
    "crm:supplier_detail": "Sales User",
    "crm:supplier_create": "Accounts User",
    "crm:supplier_update": "Accounts User",
    "crm:supplier_delete": "Accounts Manager",
    "crm:sales_partner_list": "Sales User",
    "crm:sales_partner_detail": "Sales User",
    "crm:sales_partner_create": "Sales Manager",
    "crm:sales_partner_update": "Sales Manager",
    "crm:sales_partner_delete": "Sales Manager",
    "crm:tree": "Sales User",
    "crm:tree_add_child": "Sales Manager",
    "crm:tree_rename": "Sales Manager",
    "crm:tree_move": "Sales Manager",
    "crm:tree_delete": "Sales Manager",
    "pricing:price_list_list": "Sales User",
    "pricing:price_list_detail": "Sales User",
    "pricing:price_list_create": "Sales Manager",
    "pricing:price_list_update": "Sales Manager",
    "pricing:price_list_add_price": "Sales Manager",
    "pricing:item_price_update": "Sales Manager",
    "pricing:item_price_end": "Sales Manager",
    "pricing:item_list": "Sales User",
    "pricing:item_create": "Sales Manager",
    "pricing:item_update": "Sales Manager",
    "invoicing:payment_list": "Sales User",
    "invoicing:payment_detail": "Sales User",
    "invoicing:payment_create": "Accounts User",
    "invoicing:payment_cancel": "Accounts User",
    "invoicing:payment_allocate": "Accounts User",
    "invoicing:invoice_list": "Sales User",
    "invoicing:invoice_export": "Sales User",
    "invoicing:invoice_detail": "Sales User",
    "invoicing:invoice_create": "Accounts User",
    "invoicing:invoice_update": "Accounts User",
    "invoicing:invoice_customer_search": "Accounts User",
    "invoicing:invoice_customer_defaults": "Accounts User",
    "invoicing:invoice_item_rate": "Accounts User",
    "invoicing:invoice_submit": "Accounts User",
    "invoicing:invoice_cancel": "Accounts User",
    "invoicing:invoice_delete": "Accounts Manager",
    "invoicing:statement": "Sales User",
    "invoicing:statement_csv": "Sales User",
    "invoicing:aging": "Sales User",
    "invoicing:aging_csv": "Sales User",
    "invoicing:aging_xlsx": "Sales User",
    "dataimport:start": "Sales User",
    "dataimport:template": "Sales User",
    "dataimport:history": "Sales User",
    "dataimport:log": "Sales User",
    "dataimport:log_invalid_rows": "Sales User",
    "dataimport:export_existing": "Sales Manager",  # of territories (see url_args)
    "analytics:tree_targets": "Sales Manager",
    **{
        f"analytics:{report}{suffix}": "Sales Manager"
        for report in [
            "profitability",
            "sales_by_group",
            "sales_by_territory",
            "territory_targets",
            "sales_person_targets",
            "commission",
        ]
        for suffix in ("", "_export")
    },
}
PUBLIC = {"login", "logout"}


def project_url_names(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the Django admin has its own staff checks
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from project_url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def test_every_page_has_a_role():
    names = {name for name, _ in project_url_names()} - PUBLIC
    assert names == set(ROLE_FOR)


@pytest.fixture
def url_args(customer):
    contact = Contact.objects.create(first_name="Matrix")
    address = Address.objects.create(line1="1 Test Road", city="Testville", country="DE")
    contact_link = link_contact(contact=contact, party=customer)
    address_link = link_address(address=address, party=customer)
    partner = SalesPartner.objects.create(name="Matrix Partner", partner_type="agent")
    item_price = add_item_price(
        price_list=PriceList.objects.create(name="Matrix List", currency="EUR"),
        item=Item.objects.create(code="MATRIX", name="Matrix item"),
        rate=1,
    )
    territory = customer.territory
    values = {
        "customer": customer.pk,
        "contact": contact.pk,
        "address": address.pk,
        "supplier": SupplierFactory(company=customer.company).pk,
        "sales_partner": partner.pk,
        "tree": territory.pk,
        "chart": customer.company.pk,
        "price_list": item_price.price_list.pk,
        "item_price": item_price.pk,  # before "item": the longer prefix wins
        "item": item_price.item.pk,
        "payment": PaymentFactory(customer=customer).pk,  # an advance, so it can be allocated
        "invoice": SalesInvoiceFactory(customer=customer).pk,  # a draft: every page opens
        "statement": customer.pk,  # a customer's statement
        "log": previewed_log(customer.company).pk,  # an import: its preview and invalid rows
    }
    links = {"contact": contact_link.pk, "address": address_link.pk}
    assert SalesPerson.objects.exists()

    def for_name(name, pattern):
        params = pattern.pattern.converters.keys()
        short = name.split(":")[-1]
        area = next((key for key in values if short.startswith(key)), None)
        kwargs = {}
        if "pk" in params:
            kwargs["pk"] = values[area]
        if "company_id" in params:
            kwargs["company_id"] = values["chart"]
        if "link_pk" in params:
            kwargs["link_pk"] = links[area]
        if "purpose" in params:
            kwargs["purpose"] = "billing"
        if "kind" in params:
            kwargs["kind"] = "territories"
        if "file_format" in params:
            kwargs["file_format"] = "xlsx"
        if "target" in params:
            kwargs["target"] = "territories"
        return reverse(name, kwargs=kwargs)

    return for_name


def all_pages():
    return sorted(project_url_names(), key=lambda item: item[0])


@pytest.mark.parametrize(("name", "pattern"), all_pages(), ids=[n for n, _ in all_pages()])
def test_anonymous_users_are_sent_to_login(client, url_args, name, pattern):
    if name in PUBLIC:
        return
    response = client.get(url_args(name, pattern))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize(("name", "pattern"), all_pages(), ids=[n for n, _ in all_pages()])
def test_users_without_permission_get_403(role_client, url_args, name, pattern):
    if name in PUBLIC or ROLE_FOR.get(name) is None:
        return
    assert role_client().get(url_args(name, pattern)).status_code == 403


@pytest.mark.parametrize(("name", "pattern"), all_pages(), ids=[n for n, _ in all_pages()])
def test_the_right_role_gets_the_page(role_client, url_args, name, pattern):
    if name in PUBLIC:
        return
    role = ROLE_FOR.get(name)
    client = role_client(role) if role else role_client()
    status = client.get(url_args(name, pattern)).status_code
    post_only = name.endswith(("_link", "_unlink", "_set_primary"))
    assert status == 200 or (post_only and status == 405), status
