from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from crm.models import SalesPartner, SalesPerson, SalesTeamMember
from crm.services import set_sales_team

pytestmark = pytest.mark.django_db


def person(name, parent=None, **fields):
    parent = parent or SalesPerson.objects.get(name="Sales Team")
    return SalesPerson.objects.create(name=name, parent=parent, **fields)


def test_sales_people_form_a_tree_under_a_root():
    root = SalesPerson.objects.get(name="Sales Team")
    north = person("North", is_group=True)
    ann = person("Ann", parent=north)
    assert root.is_group and root.parent is None
    assert list(SalesPerson.objects.ancestors(ann).values_list("name", flat=True)) == [
        "Sales Team",
        "North",
    ]


def test_a_sales_team_must_total_100_percent_and_says_the_total(customer):
    ann, bob = person("Ann"), person("Bob")
    with pytest.raises(ValidationError) as error:
        set_sales_team(customer=customer, members=[(ann, "60"), (bob, "30")])
    assert error.value.messages == [
        "Sales team contributions must total 100%; they total 90.00% now."
    ]
    assert not SalesTeamMember.objects.exists()


def test_a_sales_team_splitting_60_40_is_saved_and_replaced(customer):
    ann, bob, cy = person("Ann"), person("Bob"), person("Cy")
    set_sales_team(customer=customer, members=[(ann, "60"), (bob, Decimal("40"))])
    assert {(m.sales_person.name, m.contribution) for m in customer.sales_team.all()} == {
        ("Ann", Decimal("60.00")),
        ("Bob", Decimal("40.00")),
    }
    set_sales_team(customer=customer, members=[(cy, 100)])
    assert [m.sales_person.name for m in customer.sales_team.all()] == ["Cy"]
    set_sales_team(customer=customer, members=[])
    assert not customer.sales_team.exists()


def test_a_sales_person_appears_once_in_a_team(customer):
    ann = person("Ann")
    with pytest.raises(ValidationError, match="only once"):
        set_sales_team(customer=customer, members=[(ann, 50), (ann, 50)])


def test_a_group_cannot_be_in_a_sales_team(customer):
    north = person("North", is_group=True)
    with pytest.raises(ValidationError) as error:
        set_sales_team(customer=customer, members=[(north, 100)])
    assert error.value.message_dict["sales_person"] == ["North is a group; choose a sales person."]


def test_the_database_refuses_contributions_out_of_range(customer):
    ann = person("Ann")
    for bad in ("0", "100.01", "-5"):
        with pytest.raises(IntegrityError), transaction.atomic():
            SalesTeamMember.objects.create(customer=customer, sales_person=ann, contribution=bad)


def test_a_sales_person_in_a_team_cannot_become_a_group_or_be_deleted(customer):
    ann = person("Ann")
    set_sales_team(customer=customer, members=[(ann, 100)])
    ann.is_group = True
    with pytest.raises(ValidationError, match="has 1 customer"):
        ann.full_clean()
    assert ann.deletion_blockers() == ["Ann has 1 customer(s); move them first."]


def test_commission_rates_stay_between_0_and_100(customer):
    with pytest.raises(ValidationError) as error:
        SalesPartner(name="Agent X", partner_type="agent", commission_rate=101).full_clean()
    assert "commission_rate" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        SalesPartner.objects.create(name="Agent Y", partner_type="agent", commission_rate=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(customer).objects.filter(pk=customer.pk).update(default_commission_rate=150)


def test_a_customer_has_a_default_sales_partner_and_commission(customer):
    partner = SalesPartner.objects.create(
        name="Dealer Co", partner_type="dealer", commission_rate="7.5"
    )
    customer.default_sales_partner = partner
    customer.default_commission_rate = Decimal("5")
    customer.full_clean()
    customer.save()
    assert partner.customers.get() == customer
