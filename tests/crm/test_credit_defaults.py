"""Credit terms and credit limits: the customer's own, else its nearest customer group's, else
the company's; where to set them, and the warning when a limit is below what is owed."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import strip_tags

from crm import selectors
from crm.models import Customer, CustomerGroup, Territory
from crm.selectors import DefaultSource
from pricing.models import PriceList
from tests.crm.test_customer_form import customer_data
from tests.crm.test_customer_list import post_sale
from tests.factories import CustomerFactory, CustomerGroupFactory

pytestmark = pytest.mark.django_db

FIXED, END_OF_NEXT_MONTH = "fixed_days", "end_of_next_month"


@pytest.fixture
def retail():
    """All Customer Groups › Trade › Wholesale › Retail: three levels below the root."""
    root = CustomerGroup.objects.get(name="All Customer Groups")
    trade = CustomerGroupFactory(name="Trade", parent=root, is_group=True)
    wholesale = CustomerGroupFactory(name="Wholesale", parent=trade, is_group=True)
    return CustomerGroupFactory(name="Retail", parent=wholesale)


@pytest.fixture
def acme(company, retail):
    return CustomerFactory(name="Acme", company=company, customer_group=retail)


def set_terms(holder, rule="", days=None, *, limit=None):
    holder.credit_days_rule, holder.credit_days, holder.credit_limit = rule, days, limit
    holder.save()


def group(name):
    return CustomerGroup.objects.get(name=name)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- which terms apply --------------------------------------------------------------------


def test_without_terms_anywhere_an_invoice_is_due_on_its_date(acme, company):
    assert selectors.credit_terms_for(customer=acme, company=company) == (
        "",
        None,
        DefaultSource("none"),
    )
    due = selectors.due_date_for(customer=acme, company=company, posting_date=date(2026, 3, 9))
    assert due == (date(2026, 3, 9), DefaultSource("none"))


def test_the_company_terms_apply_when_no_group_or_customer_has_any(acme, company):
    set_terms(company, END_OF_NEXT_MONTH)
    assert selectors.credit_terms_for(customer=acme, company=company) == (
        END_OF_NEXT_MONTH,
        None,
        DefaultSource("company", "Demo Trading"),
    )


def test_the_top_group_terms_beat_the_company(acme, company):
    set_terms(company, END_OF_NEXT_MONTH)
    set_terms(group("Trade"), FIXED, 60)
    assert selectors.credit_terms_for(customer=acme, company=company) == (
        FIXED,
        60,
        DefaultSource("customer group", "Trade"),
    )


def test_the_nearest_group_with_terms_wins(acme, company):
    set_terms(group("Trade"), FIXED, 60)
    set_terms(group("Wholesale"), FIXED, 45)
    assert selectors.credit_terms_for(customer=acme, company=company)[1:] == (
        45,
        DefaultSource("customer group", "Wholesale"),
    )
    set_terms(group("Retail"), FIXED, 30)
    assert selectors.credit_terms_for(customer=acme, company=company)[1:] == (
        30,
        DefaultSource("customer group", "Retail"),
    )


def test_the_customer_own_terms_beat_everything(acme, company):
    set_terms(company, FIXED, 90)
    set_terms(group("Retail"), FIXED, 30)
    set_terms(acme, END_OF_NEXT_MONTH)
    rule, days, source = selectors.credit_terms_for(customer=acme, company=company)
    assert (rule, days, source.kind) == (END_OF_NEXT_MONTH, None, "customer")


def test_the_due_date_follows_the_terms_that_apply(acme, company):
    set_terms(group("Wholesale"), FIXED, 30)
    due = selectors.due_date_for(customer=acme, company=company, posting_date=date(2016, 1, 22))
    assert due == (date(2016, 2, 21), DefaultSource("customer group", "Wholesale"))
    set_terms(acme, END_OF_NEXT_MONTH)
    due, _ = selectors.due_date_for(customer=acme, company=company, posting_date=date(2016, 1, 15))
    assert due == date(2016, 2, 29)


def test_resolving_terms_costs_one_query_however_deep_the_tree(
    acme, company, django_assert_num_queries
):
    with django_assert_num_queries(1):
        selectors.credit_terms_for(customer=acme, company=company)


# --- which credit limit applies -----------------------------------------------------------


def test_each_level_of_the_credit_limit_falls_back_to_the_next(acme, company):
    def limit():
        return selectors.credit_limit_for(customer=acme, company=company)

    assert limit() == (None, DefaultSource("none"))
    set_terms(company, limit=Decimal("1000"))
    assert limit() == (Decimal("1000"), DefaultSource("company", "Demo Trading"))
    set_terms(group("Trade"), limit=Decimal("2000"))
    assert limit() == (Decimal("2000"), DefaultSource("customer group", "Trade"))
    set_terms(group("Wholesale"), limit=Decimal("3000"))
    assert limit() == (Decimal("3000"), DefaultSource("customer group", "Wholesale"))
    set_terms(group("Retail"), limit=Decimal("4000"))
    assert limit() == (Decimal("4000"), DefaultSource("customer group", "Retail"))
    set_terms(acme, limit=Decimal("0"))
    assert limit() == (Decimal("0"), DefaultSource("customer", "Acme (CUST-00001)"))


def test_a_limit_in_another_company_falls_back_to_that_company(acme, company, other_company):
    set_terms(company, limit=Decimal("1000"))
    set_terms(other_company, limit=Decimal("500"))
    assert selectors.credit_limit_for(customer=acme, company=other_company) == (
        Decimal("500"),
        DefaultSource("company", "Other Works"),
    )


# --- outstanding --------------------------------------------------------------------------


def test_the_outstanding_is_the_balance_of_the_ledger_in_that_company(acme, company):
    assert selectors.customer_outstanding(customer=acme, company=company) == Decimal("0")
    post_sale(acme, Decimal("120.50"))
    post_sale(acme, Decimal("79.50"))
    assert round(selectors.customer_outstanding(customer=acme, company=company), 2) == Decimal(
        "200.00"
    )


def test_without_a_ledger_in_the_company_nothing_is_outstanding(acme, other_company):
    assert selectors.customer_outstanding(customer=acme, company=other_company) == Decimal("0")


# --- the customer form --------------------------------------------------------------------

EDIT = "crm:customer_update"


def edit(client, customer, **fields):
    data = customer_data(customer.company, name=customer.name, code=customer.code)
    data.update(customer_group=customer.customer_group_id, **fields)
    return client.post(reverse(EDIT, args=[customer.pk]), data)


def test_a_new_customer_gets_its_price_list_terms_and_limit(role_client, company, retail):
    retail_list = PriceList.objects.create(name="Retail EUR", currency="EUR")
    data = customer_data(
        company,
        customer_group=retail.pk,
        default_price_list=retail_list.pk,
        credit_limit="2500",
        credit_days_rule=FIXED,
        credit_days="14",
    )
    response = role_client("Sales User").post(reverse("crm:customer_create"), data)
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.default_price_list == retail_list
    assert (customer.credit_limit, customer.credit_days_rule, customer.credit_days) == (
        Decimal("2500"),
        FIXED,
        14,
    )


def test_only_enabled_selling_price_lists_are_offered(role_client, acme):
    PriceList.objects.create(name="Retail EUR", currency="EUR")
    PriceList.objects.create(name="Purchases", currency="EUR", selling=False, buying=True)
    PriceList.objects.create(name="Old", currency="EUR", enabled=False)
    form = role_client("Sales User").get(reverse(EDIT, args=[acme.pk])).context["form"]
    assert [str(p) for p in form.fields["default_price_list"].queryset] == ["Retail EUR"]


def test_credit_days_without_a_rule_are_refused_next_to_the_days(role_client, acme):
    response = edit(role_client("Sales User"), acme, credit_days="30")
    assert response.status_code == 200
    assert response.context["form"].errors["credit_days"] == [
        "Credit days apply only to 'Fixed days after the invoice date'."
    ]
    acme.refresh_from_db()
    assert acme.credit_days is None


def test_fixed_days_without_days_are_refused_next_to_the_days(role_client, acme):
    response = edit(role_client("Sales User"), acme, credit_days_rule=FIXED)
    assert response.context["form"].errors["credit_days"] == [
        "Give the number of days after the invoice date."
    ]
    acme.refresh_from_db()
    assert acme.credit_days_rule == ""


def test_a_negative_credit_limit_is_refused_next_to_the_limit(role_client, acme):
    response = edit(role_client("Sales User"), acme, credit_limit="-1")
    assert response.context["form"].errors["credit_limit"] == [
        "Ensure this value is greater than or equal to 0."
    ]
    acme.refresh_from_db()
    assert acme.credit_limit is None


def test_a_limit_below_the_outstanding_is_saved_with_a_warning(role_client, acme, other_company):
    post_sale(acme, Decimal("8000"))
    response = edit(role_client("Sales User"), acme, credit_limit="5000")
    assert response.status_code == 302
    acme.refresh_from_db()
    assert acme.credit_limit == Decimal("5000")
    assert messages_of(response) == [
        "Customer Acme (CUST-00001) saved.",
        "Credit limit 5,000.00 is below the outstanding 8,000.00 of Acme (CUST-00001) "
        "in Demo Trading.",
    ]


def test_the_warning_names_every_company_where_the_limit_is_too_low(acme, other_company):
    acme.company = other_company
    acme.save()
    post_sale(acme, Decimal("700"), company=acme.ledgers.get(company__name="Demo Trading").company)
    post_sale(acme, Decimal("300"), company=other_company)
    set_terms(acme, limit=Decimal("500"))
    assert selectors.credit_limit_warnings(set_on=acme) == [
        "Credit limit 500.00 is below the outstanding 700.00 of Acme (CUST-00001) in Demo Trading."
    ]


def test_a_limit_at_or_above_the_outstanding_gives_no_warning(role_client, acme):
    post_sale(acme, Decimal("5000"))
    response = edit(role_client("Sales User"), acme, credit_limit="5000")
    assert messages_of(response) == ["Customer Acme (CUST-00001) saved."]


# --- the customer group form --------------------------------------------------------------


def group_url(node):
    return reverse("crm:tree_rename", args=["customer-groups", node.pk])


def group_data(node, **fields):
    data = {"name": node.name, "is_group": "on" if node.is_group else ""}
    return {**data, **fields}


def test_a_sales_manager_sets_a_group_default_price_list_terms_and_limit(role_client, retail):
    retail_list = PriceList.objects.create(name="Retail EUR", currency="EUR")
    fields = {
        "default_price_list": retail_list.pk,
        "credit_limit": "10000",
        "credit_days_rule": FIXED,
        "credit_days": "30",
    }
    response = role_client("Sales Manager").post(group_url(retail), group_data(retail, **fields))
    assert response.status_code == 302
    retail.refresh_from_db()
    assert retail.default_price_list == retail_list
    assert (retail.credit_limit, retail.credit_days_rule, retail.credit_days) == (
        Decimal("10000"),
        FIXED,
        30,
    )


def test_only_customer_groups_have_credit_fields(role_client):
    client = role_client("Sales Manager")
    root_group = CustomerGroup.objects.get(name="All Customer Groups")
    root_territory = Territory.objects.get(name="All Territories")
    territory_url = reverse("crm:tree_rename", args=["territories", root_territory.pk])
    assert "credit_limit" in client.get(group_url(root_group)).context["form"].fields
    assert "credit_limit" not in client.get(territory_url).context["form"].fields


def test_a_sales_user_cannot_edit_a_group_terms(role_client, retail):
    response = role_client("Sales User").post(
        group_url(retail), group_data(retail, credit_days="9")
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"credit_days": "30"}, "credit_days", "Credit days apply only to 'Fixed days"),
        ({"credit_days_rule": FIXED}, "credit_days", "Give the number of days"),
        ({"credit_limit": "-5"}, "credit_limit", "Ensure this value is greater than or equal"),
    ],
)
def test_bad_group_terms_are_refused_next_to_the_field(role_client, retail, fields, field, message):
    response = role_client("Sales Manager").post(group_url(retail), group_data(retail, **fields))
    assert response.status_code == 200
    assert response.context["form"].errors[field][0].startswith(message)
    retail.refresh_from_db()
    assert (retail.credit_days_rule, retail.credit_days, retail.credit_limit) == ("", None, None)


def test_a_group_limit_below_a_customer_outstanding_warns_for_customers_it_applies_to(
    role_client, acme, company
):
    own_limit = CustomerFactory(name="Bolt", company=company, customer_group=acme.customer_group)
    set_terms(own_limit, limit=Decimal("9000"))
    post_sale(acme, Decimal("8000"))
    post_sale(own_limit, Decimal("8000"))
    trade = group("Trade")
    response = role_client("Sales Manager").post(
        group_url(trade), group_data(trade, credit_limit="5000")
    )
    assert response.status_code == 302
    assert messages_of(response) == [
        "Saved customer group Trade.",
        "Credit limit 5,000.00 is below the outstanding 8,000.00 of Acme (CUST-00001) "
        "in Demo Trading.",
    ]


def test_a_long_list_of_warnings_is_cut_short(acme, company):
    for n in range(7):
        post_sale(
            CustomerFactory(name=f"Shop {n}", company=company, customer_group=acme.customer_group),
            Decimal("10"),
        )
    retail = group("Retail")
    set_terms(retail, limit=Decimal("1"))
    warnings = selectors.credit_limit_warnings(set_on=retail)
    assert len(warnings) == selectors.MAX_CREDIT_WARNINGS + 1
    assert warnings[-1] == "2 more outstanding balances are above it."


# --- the customer page --------------------------------------------------------------------


def defaults_card(client, customer):
    """The text of the customer page's "Details and defaults" card, tags and spacing removed."""
    html = client.get(reverse("crm:customer_detail", args=[customer.pk])).content.decode()
    card = html[html.index('id="defaults"') :]
    return " ".join(strip_tags(card[: card.index("</section>")]).split())


def test_the_customer_page_says_which_terms_and_limit_apply_and_where_from(role_client, acme):
    set_terms(group("Retail"), FIXED, 30)
    set_terms(acme.company, limit=Decimal("25000"))
    card = defaults_card(role_client("Accounts User"), acme)
    assert "Payment terms 30 days after the invoice date (from customer group Retail)" in card
    assert "Credit limit 25,000.00 (from company Demo Trading)" in card


def test_the_customer_page_shows_own_terms_as_set_on_the_customer(role_client, acme):
    set_terms(acme, END_OF_NEXT_MONTH, limit=Decimal("0"))
    card = defaults_card(role_client("Sales User"), acme)
    assert (
        "Payment terms Last day of the month after the invoice date (set on this customer)" in card
    )
    assert "Credit limit 0.00 (set on this customer)" in card


def test_the_customer_page_without_terms_says_due_on_the_invoice_date(role_client, acme):
    card = defaults_card(role_client("Sales User"), acme)
    assert "Payment terms Due on the invoice date Credit limit None" in card


# --- the company's global limit and the admin ---------------------------------------------


def test_a_company_limit_warns_about_customers_without_a_limit_of_their_own(company, acme, retail):
    own_limit = CustomerFactory(name="Own Limit", company=company, credit_limit=Decimal("900"))
    post_sale(acme, Decimal("700"))
    post_sale(own_limit, Decimal("800"))
    set_terms(company, limit=Decimal("500"))
    assert selectors.credit_limit_warnings(set_on=company) == [
        "Credit limit 500.00 is below the outstanding 700.00 of Acme (CUST-00001) in Demo Trading."
    ]


@pytest.mark.parametrize("target", ["company", "acme", "retail"])
def test_the_admin_warns_when_a_limit_is_saved_below_the_outstanding(
    admin_client, company, acme, retail, target
):
    post_sale(acme, Decimal("700"))
    obj = {"company": company, "acme": acme, "retail": retail}[target]
    url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields
    }
    data.update({"credit_limit": "500", **management_forms(admin_client.get(url))})
    response = admin_client.post(url, data, follow=True)
    assert response.redirect_chain
    assert (
        "Credit limit 500.00 is below the outstanding 700.00 of Acme (CUST-00001) in Demo Trading."
        in messages_of(response)
    )


def management_forms(response):
    """The inline formsets' management data and rows, as the admin page renders them."""
    data = {}
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for form in [formset.management_form, *formset.forms]:
            for name in form.fields:
                value = form[name].value()
                if value not in (None, False):
                    data[form[name].html_name] = value
    return data
