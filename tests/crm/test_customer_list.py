"""The customer list: search, filters that include sub-trees, sort, pages, what each row shows."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Account
from accounts.services import JournalLine, post_journal
from crm.models import Contact, CustomerGroup, SalesPartner, SalesPerson, Territory
from crm.services import add_contact_email, add_contact_phone, link_contact, set_sales_team
from tests.factories import CustomerFactory, SupplierFactory

pytestmark = pytest.mark.django_db

URL = "/customers/"


def post_sale(customer, amount, *, company=None):
    """Debit the customer's ledger in `company` (its own by default), credit Sales."""
    company = company or customer.company
    ledger = customer.ledgers.get(company=company).account
    sales = Account.objects.get(name=company.suffixed("Sales"))
    post_journal(
        company=company,
        posting_date=date(2026, 1, 15),
        lines=[JournalLine(ledger, debit=amount), JournalLine(sales, credit=amount)],
    )


def add_contact(customer, first_name, *, email="", phone="", primary=True, **fields):
    contact = Contact.objects.create(first_name=first_name, **fields)
    link_contact(contact=contact, party=customer, primary=primary)
    if email:
        add_contact_email(contact=contact, email=email)
    if phone:
        add_contact_phone(contact=contact, number=phone)
    return contact


def node(model, name, parent, *, is_group=False):
    return model.objects.create(name=name, parent=parent, is_group=is_group)


def listed(response):
    return [customer.name for customer in response.context["page_obj"].object_list]


@pytest.fixture
def sales(role_client):
    return role_client("Sales User")


# --- who may see it -------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_user_without_permission_gets_403(role_client):
    assert role_client().get(URL).status_code == 403


@pytest.mark.parametrize("role", ["Sales User", "Accounts User"])
def test_sales_and_accounts_users_see_the_list(role_client, customer, role):
    response = role_client(role).get(URL)
    assert response.status_code == 200
    assert listed(response) == ["Acme"]


def test_the_new_customer_button_needs_the_add_permission(role_client, company):
    assert "New customer" in role_client("Sales User").get(URL).content.decode()
    assert "New customer" not in role_client("Accounts User").get(URL).content.decode()


# --- search ---------------------------------------------------------------------------------


def test_search_finds_part_of_a_name_in_any_case(sales, company):
    CustomerFactory(name="Northwind Traders", company=company)
    CustomerFactory(name="Contoso", company=company)
    assert listed(sales.get(URL, {"q": "WIND trad"})) == ["Northwind Traders"]


def test_search_finds_a_code_in_any_case_but_not_a_fragment_of_it(sales, company):
    CustomerFactory(name="Acme", code="CUST-00042", company=company)
    CustomerFactory(name="Other", code="CUST-00043", company=company)
    assert listed(sales.get(URL, {"q": "cust-00042"})) == ["Acme"]
    assert listed(sales.get(URL, {"q": "00042"})) == []


def test_search_finds_a_customer_by_any_of_its_contacts_emails(sales, customer, company):
    CustomerFactory(name="Someone Else", company=company)
    add_contact(customer, "Ada", email="ada@acme.example", primary=True)
    add_contact(customer, "Bob", email="bob@billing.example", primary=False)
    assert listed(sales.get(URL, {"q": "BILLING.example"})) == ["Acme"]


def test_search_finds_a_phone_typed_in_another_layout(sales, customer, company):
    CustomerFactory(name="Someone Else", company=company)
    add_contact(customer, "Ada", phone="+49 30 901820")
    assert listed(sales.get(URL, {"q": "+49 (30) 90 18 20"})) == ["Acme"]


def test_search_finds_a_tax_id_in_any_case(sales, company):
    CustomerFactory(name="Taxed", tax_id="DE123456789", company=company)
    CustomerFactory(name="Untaxed", company=company)
    assert listed(sales.get(URL, {"q": " de123456789 "})) == ["Taxed"]


def test_a_customer_found_several_ways_is_listed_once(sales, company):
    customer = CustomerFactory(name="Ada Works", company=company)
    add_contact(customer, "Ada", email="ada@works.example")
    add_contact(customer, "Also Ada", email="ada@home.example", primary=False)
    response = sales.get(URL, {"q": "ada"})
    assert listed(response) == ["Ada Works"]
    assert response.context["page_obj"].paginator.count == 1


def test_a_suppliers_contact_does_not_match_customers(sales, customer):
    supplier = SupplierFactory(company=customer.company)
    contact = Contact.objects.create(first_name="Sam")
    link_contact(contact=contact, party=supplier)
    add_contact_email(contact=contact, email="sam@supplier.example")
    assert listed(sales.get(URL, {"q": "sam@supplier"})) == []


def test_a_search_with_a_null_character_is_refused_with_a_message(sales, customer):
    response = sales.get(URL, {"q": "Acme\x00"})
    assert response.status_code == 200
    assert response.context["form"].errors["q"] == ["Null characters are not allowed."]
    assert "Null characters are not allowed." in response.content.decode()
    assert listed(response) == []


# --- filters --------------------------------------------------------------------------------


def test_a_customer_group_filter_includes_every_group_below_it(sales, company):
    root = CustomerGroup.objects.get(name="All Customer Groups")
    trade = node(CustomerGroup, "Trade", root, is_group=True)
    retail = node(CustomerGroup, "Retail", trade)
    wholesale = node(CustomerGroup, "Wholesale", trade)
    CustomerFactory(name="Shop", customer_group=retail, company=company)
    CustomerFactory(name="Depot", customer_group=wholesale, company=company)
    CustomerFactory(name="Firm", company=company)  # Commercial
    assert listed(sales.get(URL, {"customer_group": trade.pk})) == ["Depot", "Shop"]
    assert listed(sales.get(URL, {"customer_group": retail.pk})) == ["Shop"]
    assert len(listed(sales.get(URL, {"customer_group": root.pk}))) == 3


def test_a_territory_filter_includes_every_territory_below_it(sales, company):
    root = Territory.objects.get(name="All Territories")
    europe = node(Territory, "Europe", root, is_group=True)
    west = node(Territory, "Western Europe", europe, is_group=True)
    france = node(Territory, "France", west)
    sweden = node(Territory, "Sweden", europe)
    CustomerFactory(name="Paris SA", territory=france, company=company)
    CustomerFactory(name="Malmö AB", territory=sweden, company=company)
    CustomerFactory(name="Elsewhere", company=company)
    assert listed(sales.get(URL, {"territory": europe.pk})) == ["Malmö AB", "Paris SA"]
    assert listed(sales.get(URL, {"territory": west.pk})) == ["Paris SA"]


def test_a_sales_person_filter_includes_everyone_below_them(sales, company):
    root = SalesPerson.objects.get(name="Sales Team")
    north = node(SalesPerson, "North", root, is_group=True)
    ann = node(SalesPerson, "Ann", north)
    bob = node(SalesPerson, "Bob", root)
    ours = CustomerFactory(name="Ann's customer", company=company)
    shared = CustomerFactory(name="Shared customer", company=company)
    theirs = CustomerFactory(name="Bob's customer", company=company)
    set_sales_team(customer=ours, members=[(ann, 100)])
    set_sales_team(customer=shared, members=[(ann, 50), (bob, 50)])
    set_sales_team(customer=theirs, members=[(bob, 100)])
    assert listed(sales.get(URL, {"sales_person": north.pk})) == [
        "Ann's customer",
        "Shared customer",
    ]
    assert listed(sales.get(URL, {"sales_person": bob.pk})) == [
        "Bob's customer",
        "Shared customer",
    ]


def test_sales_partner_company_and_status_filters(sales, company, other_company):
    partner = SalesPartner.objects.create(name="Reseller One", partner_type="reseller")
    CustomerFactory(name="Partnered", default_sales_partner=partner, company=company)
    CustomerFactory(name="Disabled", disabled=True, company=company)
    CustomerFactory(name="Frozen", frozen=True, company=other_company)
    assert listed(sales.get(URL, {"sales_partner": partner.pk})) == ["Partnered"]
    assert listed(sales.get(URL, {"company": other_company.pk})) == ["Frozen"]
    assert listed(sales.get(URL, {"status": "active"})) == ["Frozen", "Partnered"]
    assert listed(sales.get(URL, {"status": "disabled"})) == ["Disabled"]
    assert listed(sales.get(URL, {"status": "frozen"})) == ["Frozen"]


def test_filters_combine_with_the_search(sales, company, other_company):
    CustomerFactory(name="Acme North", company=company)
    CustomerFactory(name="Acme South", company=other_company)
    CustomerFactory(name="Zeta", company=company)
    assert listed(sales.get(URL, {"q": "acme", "company": company.pk})) == ["Acme North"]


def test_pickers_offer_groups_and_leaves_labelled_with_their_path(sales, company):
    root = Territory.objects.get(name="All Territories")
    node(Territory, "France", node(Territory, "Europe", root, is_group=True))
    html = sales.get(URL).content.decode()
    assert "All Territories › Europe</option>" in html
    assert "All Territories › Europe › France</option>" in html
    assert "All Customer Groups</option>" in html


def test_an_unknown_filter_value_is_named_next_to_its_field(sales, customer):
    response = sales.get(URL, {"territory": 987654})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Select a valid choice" in html
    assert 'id="id_territory" aria-invalid="true"' in html or "is-invalid" in html
    assert listed(response) == []
    assert "Fix the search or filters above" in html


# --- sort and pages -------------------------------------------------------------------------


def test_customers_are_sorted_by_name_unless_told_otherwise(sales, company):
    for name, code in [("Beta", "C-1"), ("Alpha", "C-3"), ("Gamma", "C-2")]:
        CustomerFactory(name=name, code=code, company=company)
    assert listed(sales.get(URL)) == ["Alpha", "Beta", "Gamma"]
    assert listed(sales.get(URL, {"sort": "-name"})) == ["Gamma", "Beta", "Alpha"]
    assert listed(sales.get(URL, {"sort": "code"})) == ["Beta", "Gamma", "Alpha"]
    assert listed(sales.get(URL, {"sort": "password"})) == ["Alpha", "Beta", "Gamma"]


def test_sorting_by_group_and_territory_uses_their_names(sales, company):
    root = Territory.objects.get(name="All Territories")
    CustomerFactory(name="Zulu", territory=node(Territory, "Austria", root), company=company)
    government = CustomerGroup.objects.get(name="Government")
    CustomerFactory(name="Alpha", customer_group=government, company=company)
    assert listed(sales.get(URL, {"sort": "territory"})) == ["Zulu", "Alpha"]
    assert listed(sales.get(URL, {"sort": "-group"})) == ["Alpha", "Zulu"]


def test_a_column_header_toggles_the_direction_and_shows_an_arrow(sales, customer):
    headers = sales.get(URL, {"q": "ac", "sort": "name", "page": 1}).context["sort_headers"]
    assert headers["name"].query == "q=ac&sort=-name"
    assert headers["name"].arrow == "▲"
    assert headers["code"].query == "q=ac&sort=code" and headers["code"].arrow == ""
    descending = sales.get(URL, {"sort": "-name"})
    assert descending.context["sort_headers"]["name"].query == "sort=name"
    assert descending.context["sort_headers"]["name"].arrow == "▼"
    assert 'aria-sort="descending"' in descending.content.decode()


def test_fifty_customers_a_page_with_links_that_keep_the_search_and_sort(sales, company):
    CustomerFactory.create_batch(51, company=company)
    first = sales.get(URL, {"q": "customer", "sort": "-code"})
    html = first.content.decode()
    assert len(listed(first)) == 50
    assert "51 customers" in html
    assert "?q=customer&amp;sort=-code&amp;page=2" in html
    second = sales.get(URL, {"q": "customer", "sort": "-code", "page": 2})
    assert len(listed(second)) == 1


# --- what a row shows -----------------------------------------------------------------------


def test_a_row_shows_the_primary_contact_and_its_primary_email(sales, customer):
    add_contact(customer, "Ada", last_name="Lovelace", email="ada@acme.example")
    add_contact(customer, "Bob", email="bob@acme.example", primary=False)
    html = sales.get(URL).content.decode()
    assert "Ada Lovelace" in html and "ada@acme.example" in html
    assert "Bob" not in html


def test_a_row_shows_the_outstanding_balance_of_each_ledger(sales, customer, other_company):
    post_sale(customer, Decimal("1200.00"))
    customer.company = other_company
    customer.save()  # opens a second ledger, in Other Works
    response = sales.get(URL)
    html = response.content.decode()
    ledgers = {
        ledger.company.abbreviation: ledger.balance
        for ledger in response.context["page_obj"].object_list[0].ledgers.all()
    }
    assert ledgers == {"DT": Decimal("1200.00"), "OW": Decimal("0.00")}
    assert '<span class="text-body-secondary">DT</span> 1,200.00' in html
    assert '<span class="text-body-secondary">OW</span> 0.00' in html


def test_status_badges_show_disabled_and_frozen(sales, company):
    CustomerFactory(name="Stopped", disabled=True, frozen=True, company=company)
    html = sales.get(URL).content.decode()
    assert ">Disabled</span>" in html and ">Frozen</span>" in html


def test_names_and_emails_are_shown_escaped(sales, company):
    customer = CustomerFactory(name="<b>Bold</b> & Co", company=company)
    add_contact(customer, "<i>Ada</i>")
    html = sales.get(URL).content.decode()
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in html
    assert "&lt;i&gt;Ada&lt;/i&gt;" in html


def test_the_page_costs_the_same_queries_for_5_and_50_rows(
    sales, company, other_company, django_assert_max_num_queries
):
    def add_customers(count):
        for customer in CustomerFactory.create_batch(count, company=company):
            add_contact(customer, "Ada", email=f"ada{customer.pk}@example.com")
            post_sale(customer, Decimal("10.00"))
            customer.company = other_company
            customer.save()

    add_customers(5)
    with django_assert_max_num_queries(20) as five:
        assert len(listed(sales.get(URL))) == 5
    add_customers(45)
    with django_assert_max_num_queries(len(five.captured_queries)) as fifty:
        assert len(listed(sales.get(URL))) == 50
    assert len(fifty.captured_queries) == len(five.captured_queries)
