"""Sales partner pages: list, detail with customers, create and edit, delete."""

from decimal import Decimal

import pytest
from django.urls import reverse

from crm.models import SalesPartner, Territory
from tests.factories import CustomerFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

LIST = reverse("crm:sales_partner_list")
NEW = reverse("crm:sales_partner_create")


@pytest.fixture
def europe(db):
    return TerritoryFactory(name="Europe", is_group=True)


@pytest.fixture
def partner(europe):
    nordics = TerritoryFactory(name="Nordics", parent=europe)
    return SalesPartner.objects.create(
        name="Northern Channel",
        partner_type=SalesPartner.Kind.CHANNEL_PARTNER,
        territory=nordics,
        commission_rate=Decimal("7.5"),
    )


def partner_data(**fields):
    data = {
        "name": "Pacific Resellers",
        "partner_type": "reseller",
        "territory": "",
        "commission_rate": "5",
    }
    return {**data, **fields}


def partner_urls(partner):
    return [
        LIST,
        NEW,
        reverse("crm:sales_partner_detail", args=[partner.pk]),
        reverse("crm:sales_partner_update", args=[partner.pk]),
        reverse("crm:sales_partner_delete", args=[partner.pk]),
    ]


# --- permissions ----------------------------------------------------------------------------


def test_every_sales_partner_page_needs_login(client, partner):
    for url in partner_urls(partner):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


@pytest.mark.parametrize("role", ["Sales User", "Accounts User"])
def test_users_who_only_view_partners_cannot_change_them(role_client, partner, role):
    client = role_client(role)
    list_url, new, detail, edit, delete = partner_urls(partner)
    assert client.get(list_url).status_code == 200
    assert client.get(detail).status_code == 200
    for url in (new, edit, delete):
        assert client.get(url).status_code == 403, url
    assert client.post(NEW, partner_data()).status_code == 403
    assert client.post(delete).status_code == 403
    assert SalesPartner.objects.count() == 1


def test_a_sales_manager_manages_partners(role_client, partner):
    client = role_client("Sales Manager")
    for url in partner_urls(partner):
        assert client.get(url).status_code == 200, url


# --- list and detail ------------------------------------------------------------------------


def test_the_list_shows_type_territory_path_commission_and_customer_count(
    role_client, partner, company
):
    CustomerFactory.create_batch(3, company=company, default_sales_partner=partner)
    response = role_client("Sales User").get(LIST)
    [row] = response.context["partners"]
    assert row.territory_path == ["All Territories", "Europe", "Nordics"]
    assert row.customer_count == 3
    html = " ".join(response.content.decode().split())
    assert "Channel Partner" in html
    assert "All Territories › Europe › Nordics" in html
    assert "7.50%" in html


def test_the_list_searches_by_name(role_client, partner):
    SalesPartner.objects.create(name="Pacific Resellers", partner_type="reseller")
    response = role_client("Sales User").get(LIST, {"q": "pacific"})
    assert [p.name for p in response.context["partners"]] == ["Pacific Resellers"]


def test_the_list_costs_the_same_queries_for_more_partners(
    role_client, company, europe, django_assert_max_num_queries
):
    client = role_client("Sales User")

    def add_partners(start, count):
        for n in range(start, start + count):
            territory = TerritoryFactory(name=f"Region {n}", parent=europe)
            partner = SalesPartner.objects.create(
                name=f"Partner {n}", partner_type="agent", territory=territory
            )
            CustomerFactory(company=company, default_sales_partner=partner)

    add_partners(0, 2)
    with django_assert_max_num_queries(12) as few:
        client.get(LIST)
    add_partners(2, 20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["partners"]) == 22


def test_the_detail_lists_the_partners_customers_with_links(role_client, partner, company):
    acme = CustomerFactory(name="Acme", company=company, default_sales_partner=partner)
    CustomerFactory(name="Someone Else", company=company)
    response = role_client("Sales User").get(reverse("crm:sales_partner_detail", args=[partner.pk]))
    assert [c.name for c in response.context["page_obj"]] == ["Acme"]
    assert reverse("crm:customer_detail", args=[acme.pk]) in response.content.decode()


def test_the_detail_costs_the_same_queries_for_more_customers(
    role_client, partner, company, django_assert_max_num_queries
):
    client = role_client("Sales User")
    url = reverse("crm:sales_partner_detail", args=[partner.pk])
    CustomerFactory(company=company, default_sales_partner=partner)
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    CustomerFactory.create_batch(15, company=company, default_sales_partner=partner)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


# --- create and edit ------------------------------------------------------------------------


def test_a_partner_may_cover_a_territory_group_chosen_by_its_path(role_client, europe):
    client = role_client("Sales Manager")
    form = client.get(NEW).context["form"]
    labels = [label for value, label in form.fields["territory"].choices if value]
    assert "All Territories › Europe" in labels
    assert "All Territories" in labels
    response = client.post(NEW, partner_data(territory=europe.pk, commission_rate="12.5"))
    partner = SalesPartner.objects.get()
    assert response["Location"] == reverse("crm:sales_partner_detail", args=[partner.pk])
    assert (partner.territory, partner.commission_rate) == (europe, Decimal("12.5"))


@pytest.mark.parametrize("rate", ["120", "-1", "100.5"])
def test_a_commission_rate_outside_0_to_100_says_so_and_writes_nothing(role_client, db, rate):
    response = role_client("Sales Manager").post(NEW, partner_data(commission_rate=rate))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "commission_rate": ["Enter a percentage from 0 to 100."]
    }
    assert "Enter a percentage from 0 to 100." in response.content.decode()
    assert not SalesPartner.objects.exists()


def test_a_taken_name_or_missing_type_is_refused_next_to_the_field(role_client, partner):
    response = role_client("Sales Manager").post(
        NEW, partner_data(name="Northern Channel", partner_type="")
    )
    assert response.context["form"].errors == {
        "name": ["Sales partner with this Name already exists."],
        "partner_type": ["This field is required."],
    }
    assert SalesPartner.objects.count() == 1


def test_editing_shows_the_rate_without_trailing_zeros_and_saves(role_client, partner):
    client = role_client("Sales Manager")
    url = reverse("crm:sales_partner_update", args=[partner.pk])
    assert client.get(url).context["form"]["commission_rate"].value() == "7.5"
    data = partner_data(name="Northern Channel AB", territory=partner.territory_id)
    assert client.post(url, {**data, "commission_rate": "100"}).status_code == 302
    partner.refresh_from_db()
    assert (partner.name, partner.commission_rate) == ("Northern Channel AB", Decimal("100"))


# --- delete ---------------------------------------------------------------------------------


def test_a_partner_used_as_default_partner_cannot_be_deleted(role_client, partner, company):
    CustomerFactory.create_batch(2, company=company, default_sales_partner=partner)
    client = role_client("Sales Manager")
    url = reverse("crm:sales_partner_delete", args=[partner.pk])
    reason = (
        "Northern Channel is the default sales partner of 2 customer(s); "
        "give them another partner first."
    )
    assert client.get(url).context["blockers"] == [reason]
    refused = client.post(url)
    assert refused.status_code == 200
    assert reason in refused.content.decode()
    assert SalesPartner.objects.filter(pk=partner.pk).exists()


def test_an_unused_partner_is_deleted(role_client, partner):
    client = role_client("Sales Manager")
    url = reverse("crm:sales_partner_delete", args=[partner.pk])
    assert "no customer has it as default partner" in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == LIST
    assert not SalesPartner.objects.exists()
    assert Territory.objects.filter(name="Nordics").exists()
