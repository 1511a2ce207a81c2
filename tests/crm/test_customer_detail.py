"""A customer's page: header and actions, contacts, addresses, ledgers, team, defaults, history."""

from decimal import Decimal

import pytest
from django.urls import reverse

from crm.models import Address, CustomerGroup, SalesPartner, SalesPerson, Territory
from crm.services import link_address, set_sales_team
from pricing.models import PriceList
from tests.crm.test_customer_list import add_contact, node, post_sale
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def page(client, customer):
    return client.get(reverse("crm:customer_detail", args=[customer.pk]))


def html_of(client, customer):
    response = page(client, customer)
    assert response.status_code == 200
    return response.content.decode()


def add_address(customer, title, *, primary_for=(), **fields):
    values = {"line1": "1 Main St", "city": "Springfield", "country": "US", **fields}
    address = Address.objects.create(title=title, **values)
    return link_address(address=address, party=customer, primary_for=primary_for)


# --- who may see it -------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client, customer):
    response = page(client, customer)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_user_without_permission_gets_403(role_client, customer):
    assert page(role_client(), customer).status_code == 403


def test_an_unknown_customer_is_404(role_client, customer):
    response = role_client("Sales User").get(reverse("crm:customer_detail", args=[987654]))
    assert response.status_code == 404


# --- header and actions ---------------------------------------------------------------------


def test_the_header_shows_name_code_type_and_status(role_client, company):
    customer = CustomerFactory(
        name="Ada Lovelace",
        code="CUST-00007",
        customer_type="individual",
        disabled=True,
        frozen=True,
        company=company,
    )
    html = html_of(role_client("Sales User"), customer)
    assert "<h1" in html and "Ada Lovelace</h1>" in html
    assert "CUST-00007" in html
    for badge in ("Individual", "Disabled", "Frozen"):
        assert f">{badge}</span>" in html


def test_actions_follow_the_permissions(role_client, customer):
    edit = reverse("crm:customer_update", args=[customer.pk])
    delete = reverse("crm:customer_delete", args=[customer.pk])
    team = reverse("crm:customer_sales_team", args=[customer.pk])
    sales_user = html_of(role_client("Sales User"), customer)
    assert edit in sales_user and team in sales_user and delete not in sales_user
    manager = html_of(role_client("Sales Manager"), customer)
    assert delete in manager
    accounts_user = html_of(role_client("Accounts User"), customer)
    assert edit not in accounts_user and team not in accounts_user and delete not in accounts_user


# --- contacts and addresses -----------------------------------------------------------------


def test_contacts_show_primary_email_and_phone_and_the_primary_badge(role_client, customer):
    ada = add_contact(customer, "Ada", email="ada@acme.example", phone="+4930901820")
    add_contact(customer, "Bob", last_name="Builder", primary=False)
    html = html_of(role_client("Sales User"), customer)
    assert reverse("crm:contact_detail", args=[ada.pk]) in html
    assert "ada@acme.example" in html
    assert "+49 30 901820" in html
    assert html.count(">Primary</span>") == 1
    assert html.index("Ada") < html.index("Bob Builder")


def test_make_primary_posts_to_the_contact_link_and_comes_back(role_client, customer):
    add_contact(customer, "Ada")
    bob = add_contact(customer, "Bob", primary=False)
    link = bob.links.get()
    html = html_of(role_client("Sales User"), customer)
    action = reverse("crm:contact_set_primary", args=[bob.pk, link.pk])
    assert f'<form method="post" action="{action}">' in html
    assert html.count("Make primary") == 1
    detail = reverse("crm:customer_detail", args=[customer.pk])
    assert f'<input type="hidden" name="next" value="{detail}">' in html
    assert f"{reverse('crm:contact_create')}?customer={customer.pk}" in html


def test_addresses_show_primary_badges_and_make_primary_buttons(role_client, customer):
    office = add_address(customer, "Head office", primary_for=["billing", "shipping"])
    depot = add_address(customer, "Depot", address_type="warehouse", city="Shelbyville")
    html = html_of(role_client("Sales User"), customer)
    assert ">Primary billing</span>" in html and ">Primary shipping</span>" in html
    assert html.index("Head office") < html.index("Depot")
    assert reverse("crm:address_detail", args=[depot.address.pk]) in html
    for purpose in ("billing", "shipping"):
        action = reverse("crm:address_set_primary", args=[depot.address.pk, depot.pk, purpose])
        assert f'action="{action}"' in html
        own = reverse("crm:address_set_primary", args=[office.address.pk, office.pk, purpose])
        assert own not in html
    assert "Shelbyville" in html and ">Warehouse</span>" in html
    assert f"{reverse('crm:address_create')}?customer={customer.pk}" in html


def test_readers_get_no_buttons_that_change_contacts_or_addresses(role_client, customer):
    add_contact(customer, "Ada")
    add_contact(customer, "Bob", primary=False)
    add_address(customer, "Depot")
    html = html_of(role_client("Accounts User"), customer)
    for label in ("Make primary", "Make billing primary", "Add contact", "Add address"):
        assert label not in html


# --- ledgers, team, defaults ----------------------------------------------------------------


def test_ledgers_show_each_balance_marked_dr_or_cr(role_client, customer, company, other_company):
    post_sale(customer, Decimal("1234.50"))
    customer.company = other_company
    customer.save()
    html = html_of(role_client("Accounts User"), customer)
    assert "Acme - DT" in html and "Acme - OW" in html
    assert "1,234.50 Dr" in html
    assert reverse("accounts:chart", args=[company.pk]) in html
    assert reverse("accounts:chart", args=[other_company.pk]) in html


def test_the_chart_link_is_only_for_those_who_may_see_the_chart(role_client, customer):
    html = html_of(role_client("Sales User"), customer)
    assert "Acme - DT" in html
    assert reverse("accounts:chart", args=[customer.company.pk]) not in html


def test_the_sales_team_and_defaults_are_shown(role_client, customer):
    root = SalesPerson.objects.get(name="Sales Team")
    ann, bob = node(SalesPerson, "Ann Sales", root), node(SalesPerson, "Bob Sales", root)
    set_sales_team(customer=customer, members=[(ann, 60), (bob, 40)])
    partner = SalesPartner.objects.create(
        name="Reseller One", partner_type="reseller", commission_rate=Decimal("7.5")
    )
    europe = node(Territory, "Europe", Territory.objects.get(name="All Territories"), is_group=True)
    customer.territory = node(Territory, "France", europe)
    customer.default_sales_partner = partner
    customer.save()
    html = html_of(role_client("Sales User"), customer)
    assert html.index("Ann Sales") < html.index("60.00 %") < html.index("Bob Sales")
    assert "Reseller One" in html
    assert "7.50 %" in html and "(the partner's rate)" in html
    assert "All Territories › Europe › France" in html
    assert "All Customer Groups › Commercial" in html
    customer.default_commission_rate = Decimal("12.25")
    customer.save()
    assert "12.25 %" in html_of(role_client("Sales User"), customer)


# --- history --------------------------------------------------------------------------------


def test_history_lists_who_changed_what_from_old_to_new(role_client, customer):
    customer._history_user = UserFactory(username="maria")
    customer.name = "Acme Ltd"
    customer.territory = node(Territory, "Sweden", Territory.objects.get(name="All Territories"))
    customer.frozen = True
    customer.save()
    html = html_of(role_client("Sales User"), customer)
    assert "maria" in html
    assert "Name</span>: <span" in html
    assert "Acme</span> → <span" in html and "Acme Ltd</span>" in html
    assert "Rest of the World</span> → <span" in html and "Sweden</span>" in html
    assert "Frozen</span>: <span" in html and "No</span> → <span" in html
    assert "Updated at" not in html
    assert "Created" in html


def test_history_entries_come_newest_first_with_the_latest_twenty_shown(role_client, customer):
    for number in range(1, 23):
        customer.name = f"Name {number}"
        customer.save()
    response = page(role_client("Sales User"), customer)
    entries = response.context["history"].entries
    assert len(entries) == 20
    assert entries[0].changes[0].new == "Name 22"
    assert entries[-1].changes[0].old == "Name 2"
    assert "Older changes are kept but not shown here." in response.content.decode()


# --- safety and cost ------------------------------------------------------------------------


def test_every_text_is_shown_escaped(role_client, company):
    script = "<script>alert(1)</script>"
    customer = CustomerFactory(
        name=script,
        tax_id=script[:40],
        notes=script,
        website="javascript:alert(1)",
        company=company,
    )
    add_contact(customer, script, designation=script)
    add_address(customer, script, line1=script)
    customer.name = f"{script}!"
    customer.save()
    html = html_of(role_client("Sales User"), customer)
    assert script not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html


def test_the_page_costs_the_same_queries_however_much_it_shows(
    role_client, company, other_company, django_assert_max_num_queries
):
    client = role_client("Sales User")
    customer = CustomerFactory(company=company)
    add_contact(customer, "Ada", email="ada@example.com", phone="+4930901820")
    add_address(customer, "Office")
    with django_assert_max_num_queries(25) as small:
        page(client, customer)

    root = SalesPerson.objects.get(name="Sales Team")
    people = [node(SalesPerson, f"Rep {n}", root) for n in range(4)]
    set_sales_team(customer=customer, members=[(person, 25) for person in people])
    for n in range(10):
        add_contact(
            customer, f"Contact {n}", email=f"c{n}@example.com", phone="+4930901821", primary=False
        )
        add_address(customer, f"Depot {n}")
    for group in ("Government", "Individual", "Non Profit"):
        customer.customer_group = CustomerGroup.objects.get(name=group)
        customer.save()
    customer.company = other_company
    customer.save()
    post_sale(customer, Decimal("10.00"), company=company)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert page(client, customer).status_code == 200


def test_the_price_list_in_force_is_shown_with_where_it_comes_from(role_client, customer):
    retail = PriceList.objects.create(name="Retail EUR", currency="EUR")
    CustomerGroup.objects.filter(pk=customer.customer_group_id).update(default_price_list=retail)
    page = role_client("Sales User").get(reverse("crm:customer_detail", args=[customer.pk]))
    assert "Retail EUR" in page.content.decode()
    assert "(from customer group Commercial)" in page.content.decode()
