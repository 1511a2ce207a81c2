"""Which price list a customer's sales use: its own, its groups', then the company's."""

import pytest

from crm.models import CustomerGroup
from crm.selectors import price_list_for
from pricing.models import PriceList
from tests.factories import CustomerFactory, CustomerGroupFactory

pytestmark = pytest.mark.django_db


def price_list(name, enabled=True):
    return PriceList.objects.create(name=name, currency="EUR", enabled=enabled)


@pytest.fixture
def groups():
    """All Customer Groups > Trade > Retail, the customer's group."""
    root = CustomerGroup.objects.get(name="All Customer Groups")
    trade = CustomerGroupFactory(name="Trade", parent=root, is_group=True)
    return trade, CustomerGroupFactory(name="Retail", parent=trade)


@pytest.fixture
def retail_customer(company, groups):
    return CustomerFactory(company=company, customer_group=groups[1])


def choose(customer):
    return price_list_for(customer=customer, company=customer.company)


def test_the_customers_own_price_list_comes_first(retail_customer, groups):
    groups[1].default_price_list = price_list("Retail")
    groups[1].save()
    retail_customer.default_price_list = own = price_list("Own")

    assert choose(retail_customer) == (own, "customer")


def test_without_its_own_the_customer_uses_its_groups(retail_customer, groups):
    groups[1].default_price_list = retail = price_list("Retail")
    groups[1].save()

    assert choose(retail_customer) == (retail, "customer group Retail")


def test_the_nearest_group_above_with_a_price_list_is_used(retail_customer, groups):
    root = CustomerGroup.objects.get(name="All Customer Groups")
    root.default_price_list = price_list("Everyone")
    root.save()
    groups[0].default_price_list = trade = price_list("Trade")
    groups[0].save()

    assert choose(retail_customer) == (trade, "customer group Trade")


def test_without_group_price_lists_the_company_default_selling_list_is_used(retail_customer):
    company = retail_customer.company
    company.default_selling_price_list = standard = price_list("Standard Selling")
    company.save()

    assert choose(retail_customer) == (standard, "company Demo Trading")


def test_with_no_price_list_anywhere_there_is_none(retail_customer):
    assert choose(retail_customer) == (None, "none")


def test_disabled_price_lists_are_passed_over(retail_customer, groups):
    retail_customer.default_price_list = price_list("Old own", enabled=False)
    groups[1].default_price_list = price_list("Old retail", enabled=False)
    groups[1].save()
    groups[0].default_price_list = trade = price_list("Trade")
    groups[0].save()

    assert choose(retail_customer) == (trade, "customer group Trade")


def test_the_choice_costs_the_same_queries_however_deep_the_tree(
    retail_customer, groups, django_assert_max_num_queries
):
    parent = groups[0]
    for depth in range(5):
        parent = CustomerGroupFactory(name=f"Level {depth}", parent=parent, is_group=True)
    deep_group = CustomerGroupFactory(name="Deep", parent=parent)
    deep = CustomerFactory(company=retail_customer.company, customer_group=deep_group)

    with django_assert_max_num_queries(2):
        assert choose(deep) == (None, "none")
