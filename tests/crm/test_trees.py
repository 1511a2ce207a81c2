import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from crm.models import CustomerGroup, Territory
from tests.factories import CustomerFactory, CustomerGroupFactory, TerritoryFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model", "root"), [(CustomerGroup, "All Customer Groups"), (Territory, "All Territories")]
)
def test_each_tree_has_its_root_from_a_data_migration(model, root):
    node = model.objects.get(name=root)
    assert node.is_group and node.parent is None


def test_a_customer_may_only_be_given_a_leaf_group(company):
    customer = CustomerFactory.build(
        company=company, customer_group=CustomerGroup.objects.get(name="All Customer Groups")
    )
    with pytest.raises(ValidationError) as error:
        customer.full_clean()
    assert error.value.message_dict["customer_group"] == [
        "All Customer Groups is a group; choose a customer group without children."
    ]


def test_a_customer_may_only_be_given_a_leaf_territory(company):
    customer = CustomerFactory.build(
        company=company, territory=Territory.objects.get(name="All Territories")
    )
    with pytest.raises(ValidationError) as error:
        customer.full_clean()
    assert error.value.message_dict["territory"] == [
        "All Territories is a group; choose a territory without children."
    ]


def test_a_node_can_only_hang_under_a_group():
    leaf = CustomerGroup.objects.get(name="Commercial")
    node = CustomerGroup(name="Retail", parent=leaf)
    with pytest.raises(ValidationError) as error:
        node.full_clean()
    assert error.value.message_dict["parent"] == [
        "Commercial is a leaf; choose a group as the parent."
    ]


def test_a_node_with_customers_cannot_become_a_group(customer):
    group = customer.customer_group
    group.is_group = True
    with pytest.raises(ValidationError) as error:
        group.full_clean()
    assert error.value.message_dict["is_group"] == [
        "Commercial has 1 customer(s); move them before making it a group."
    ]


def test_a_node_with_children_must_stay_a_group():
    europe = TerritoryFactory(name="Europe", is_group=True)
    TerritoryFactory(name="France", parent=europe)
    europe.is_group = False
    with pytest.raises(ValidationError) as error:
        europe.full_clean()
    assert error.value.message_dict["is_group"] == ["Europe has child nodes; it must stay a group."]


def test_no_cycles_in_a_tree():
    europe = TerritoryFactory(name="Europe", is_group=True)
    west = TerritoryFactory(name="Western Europe", parent=europe, is_group=True)
    europe.parent = west
    with pytest.raises(ValidationError, match="descendant of itself"):
        europe.full_clean()


def test_a_node_with_children_cannot_be_deleted_and_says_why():
    europe = TerritoryFactory(name="Europe", is_group=True)
    TerritoryFactory(name="France", parent=europe)
    assert europe.deletion_blockers() == ["Europe has child nodes; delete or move them first."]
    with pytest.raises(IntegrityError):
        europe.delete()


def test_a_node_with_customers_cannot_be_deleted_and_says_why(customer):
    group = customer.customer_group
    assert group.deletion_blockers() == ["Commercial has 1 customer(s); move them first."]
    with pytest.raises(IntegrityError):
        group.delete()


def test_an_empty_leaf_can_be_deleted():
    leaf = CustomerGroupFactory(name="Spare")
    assert leaf.deletion_blockers() == []
    leaf.delete()
    assert not CustomerGroup.objects.filter(name="Spare").exists()
