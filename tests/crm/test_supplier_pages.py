"""Supplier pages: list with search and filters, detail, create and edit, delete."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import Account, Company
from accounts.services import JournalLine, post_journal
from crm import services
from crm.models import Address, Contact, PartyLedger, Supplier
from tests.factories import SupplierFactory

pytestmark = pytest.mark.django_db

LIST = reverse("crm:supplier_list")
NEW = reverse("crm:supplier_create")


@pytest.fixture
def supplier(company):
    return SupplierFactory(name="Nordic Steel", company=company)


def supplier_data(company, **fields):
    data = {"code": "", "name": "Lisbon Paper", "supplier_type": "company", "company": company.pk}
    data.update(fields)
    return data


def row_counts():
    return {model.__name__: model.objects.count() for model in (Supplier, PartyLedger, Account)}


# --- permissions ----------------------------------------------------------------------------


def supplier_urls(supplier):
    return [
        LIST,
        NEW,
        reverse("crm:supplier_detail", args=[supplier.pk]),
        reverse("crm:supplier_update", args=[supplier.pk]),
        reverse("crm:supplier_delete", args=[supplier.pk]),
    ]


def test_every_supplier_page_needs_login(client, supplier):
    for url in supplier_urls(supplier):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_a_sales_user_sees_suppliers_but_cannot_change_them(role_client, supplier):
    client = role_client("Sales User")
    list_url, new, detail, edit, delete = supplier_urls(supplier)
    assert client.get(list_url).status_code == 200
    assert client.get(detail).status_code == 200
    for url in (new, edit, delete):
        assert client.get(url).status_code == 403, url
    assert client.post(NEW, supplier_data(supplier.company)).status_code == 403
    assert Supplier.objects.count() == 1


def test_an_accounts_user_adds_and_edits_but_cannot_delete_suppliers(role_client, supplier):
    client = role_client("Accounts User")
    _, new, _, edit, delete = supplier_urls(supplier)
    assert client.get(new).status_code == 200
    assert client.get(edit).status_code == 200
    assert client.get(delete).status_code == 403
    assert client.post(delete).status_code == 403
    assert Supplier.objects.filter(pk=supplier.pk).exists()


def test_an_accounts_manager_may_delete_suppliers(role_client, supplier):
    url = reverse("crm:supplier_delete", args=[supplier.pk])
    assert role_client("Accounts Manager").get(url).status_code == 200


# --- list -----------------------------------------------------------------------------------


def listed(response):
    return [supplier.name for supplier in response.context["page_obj"]]


def test_the_list_searches_by_name_or_code(role_client, company):
    steel = SupplierFactory(name="Nordic Steel", company=company)
    SupplierFactory(name="Lisbon Paper", company=company)
    client = role_client("Accounts User")
    assert listed(client.get(LIST, {"q": "steel"})) == ["Nordic Steel"]
    assert listed(client.get(LIST, {"q": steel.code.lower()})) == ["Nordic Steel"]
    assert listed(client.get(LIST)) == ["Lisbon Paper", "Nordic Steel"]


def test_the_list_filters_by_company_and_status(role_client, company, other_company):
    SupplierFactory(name="Nordic Steel", company=company)
    SupplierFactory(name="Old Mill", company=company, disabled=True)
    SupplierFactory(name="Osaka Parts", company=other_company)
    client = role_client("Accounts User")
    assert listed(client.get(LIST, {"company": other_company.pk})) == ["Osaka Parts"]
    assert listed(client.get(LIST, {"status": "disabled"})) == ["Old Mill"]
    assert listed(client.get(LIST, {"company": company.pk, "status": "active"})) == ["Nordic Steel"]


def test_invalid_filters_are_ignored(role_client, supplier):
    response = role_client("Accounts User").get(LIST, {"company": "nope", "status": "odd"})
    assert response.status_code == 200
    assert listed(response) == ["Nordic Steel"]


def test_the_list_pages_through_many_suppliers(role_client, company):
    SupplierFactory.create_batch(55, company=company)
    client = role_client("Accounts User")
    first = client.get(LIST)
    assert len(first.context["page_obj"]) == 50
    assert "Page 1 of 2" in first.content.decode()
    assert len(client.get(LIST, {"page": 2}).context["page_obj"]) == 5


def test_the_list_costs_the_same_queries_for_more_suppliers(
    role_client, company, other_company, django_assert_max_num_queries
):
    client = role_client("Accounts User")
    SupplierFactory.create_batch(2, company=company)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    SupplierFactory.create_batch(30, company=other_company)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["page_obj"]) == 32


# --- detail ---------------------------------------------------------------------------------


def test_the_detail_shows_ledgers_with_balance_and_linked_contacts_and_addresses(
    role_client, supplier, company
):
    post_journal(
        company=company,
        posting_date=date(2026, 1, 5),
        lines=[
            JournalLine(Account.objects.get(name="Cash - DT"), debit="500"),
            JournalLine(supplier.ledgers.get().account, credit="500"),
        ],
    )
    karin = Contact.objects.create(first_name="Karin", last_name="Berg")
    services.link_contact(contact=karin, party=supplier, primary=True)
    office = Address.objects.create(
        title="Head office", line1="Storgatan 1", city="Stockholm", country="SE"
    )
    services.link_address(address=office, party=supplier, primary_for=("billing",))

    response = role_client("Accounts User").get(reverse("crm:supplier_detail", args=[supplier.pk]))
    html = response.content.decode()
    assert "Nordic Steel - DT" in html and "500.00 Cr" in html
    assert reverse("crm:contact_detail", args=[karin.pk]) in html
    assert reverse("crm:address_detail", args=[office.pk]) in html
    assert "Primary billing" in html


def test_the_detail_offers_to_add_a_contact_or_address_for_this_supplier(role_client, supplier):
    html = role_client("Accounts User").get(reverse("crm:supplier_detail", args=[supplier.pk]))
    assert "Add contact" not in html.content.decode()  # an accounts user only reads contacts
    html = role_client("Sales Manager").get(reverse("crm:supplier_detail", args=[supplier.pk]))
    content = html.content.decode()
    assert f"{reverse('crm:contact_create')}?supplier={supplier.pk}" in content
    assert f"{reverse('crm:address_create')}?supplier={supplier.pk}" in content


def test_the_detail_costs_the_same_queries_for_more_contacts(
    role_client, supplier, django_assert_max_num_queries
):
    client = role_client("Accounts User")
    url = reverse("crm:supplier_detail", args=[supplier.pk])

    def add_contact(n):
        contact = Contact.objects.create(first_name=f"Person {n}")
        services.link_contact(contact=contact, party=supplier)
        services.add_contact_email(contact=contact, email=f"p{n}@example.com")

    add_contact(0)
    with django_assert_max_num_queries(15) as few:
        client.get(url)
    for n in range(1, 8):
        add_contact(n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- create and edit ------------------------------------------------------------------------


def test_a_new_supplier_gets_the_next_code_and_its_payable_ledger(role_client, company):
    response = role_client("Accounts User").post(NEW, supplier_data(company))
    supplier = Supplier.objects.get()
    assert response["Location"] == reverse("crm:supplier_detail", args=[supplier.pk])
    assert supplier.code == "SUPP-00001"
    ledger = supplier.ledgers.get().account
    assert ledger.name == "Lisbon Paper - DT"
    assert ledger.parent.name == "Accounts Payable - DT"
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["Supplier Lisbon Paper (SUPP-00001) created."]


def test_the_only_company_is_preselected_for_a_new_supplier(role_client, company):
    form = role_client("Accounts User").get(NEW).context["form"]
    assert form["company"].value() == company.pk


def test_a_supplier_without_name_is_refused_next_to_the_name(role_client, company):
    before = row_counts()
    response = role_client("Accounts User").post(NEW, supplier_data(company, name=""))
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert row_counts() == before


def test_a_company_without_payable_group_is_refused_next_to_the_company(role_client, company):
    Company.objects.filter(pk=company.pk).update(payable_group=None)
    before = row_counts()
    response = role_client("Accounts User").post(NEW, supplier_data(company))
    assert response.context["form"].errors["company"] == [
        "Company Demo Trading has no payable group. Set it first "
        "(Companies > Demo Trading > Payable group)."
    ]
    assert row_counts() == before


def test_editing_a_supplier_renames_its_ledger_and_keeps_the_code_required(role_client, supplier):
    client = role_client("Accounts User")
    url = reverse("crm:supplier_update", args=[supplier.pk])
    data = supplier_data(supplier.company, code=supplier.code, name="Nordic Steel AB")
    assert client.post(url, data).status_code == 302
    assert supplier.ledgers.get().account.name == "Nordic Steel AB - DT"

    response = client.post(url, {**data, "code": ""})
    assert response.context["form"].errors == {"code": ["This field is required."]}
    supplier.refresh_from_db()
    assert supplier.code.startswith("SUPP-")


# --- delete ---------------------------------------------------------------------------------


def test_the_delete_page_says_what_goes_and_deleting_removes_the_ledger(role_client, supplier):
    client = role_client("Accounts Manager")
    url = reverse("crm:supplier_delete", args=[supplier.pk])
    html = " ".join(client.get(url).content.decode().split())
    party = f"<strong>Nordic Steel ({supplier.code})</strong>"
    assert f"deletes {party} and its 1 ledger: Nordic Steel - DT." in html
    response = client.post(url)
    assert response["Location"] == LIST
    assert not Supplier.objects.exists()
    assert not Account.objects.filter(name="Nordic Steel - DT").exists()


def test_a_supplier_with_postings_is_not_deleted_but_may_be_disabled(
    role_client, supplier, company
):
    post_journal(
        company=company,
        posting_date=date(2026, 1, 5),
        lines=[
            JournalLine(Account.objects.get(name="Cash - DT"), debit="80"),
            JournalLine(supplier.ledgers.get().account, credit="80"),
        ],
    )
    client = role_client("Accounts Manager")
    url = reverse("crm:supplier_delete", args=[supplier.pk])
    refused = client.post(url)
    assert refused.status_code == 200
    assert refused.context["blockers"] == [
        f"Ledger Nordic Steel - DT has postings, so {supplier} cannot be deleted. "
        "Disable it instead."
    ]
    assert Supplier.objects.filter(pk=supplier.pk).exists()
    response = client.post(url, {"disable": "1"})
    assert response["Location"] == reverse("crm:supplier_detail", args=[supplier.pk])
    supplier.refresh_from_db()
    assert supplier.disabled
