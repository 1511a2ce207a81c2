"""Races on PostgreSQL: two requests saving at the same moment never open two ledgers."""

import pytest

from crm.models import Customer, PartyLedger
from crm.services import open_receivable_ledger
from tests.factories import CompanyFactory, CustomerFactory
from tests.helpers import requires_postgresql, run_concurrently

pytestmark = [
    requires_postgresql,
    pytest.mark.usefixtures("migrated_rows"),
]


def bulk_customer(company, name="Racer"):
    """A customer written without post_save, so it has no ledger yet."""
    template = CustomerFactory.build(company=company)
    customer = Customer(
        code=f"RACE-{name}",
        name=name,
        customer_group=template.customer_group,
        territory=template.territory,
        company=company,
    )
    Customer.objects.bulk_create([customer])
    return customer


def test_two_threads_opening_the_same_ledger_make_one():
    company = CompanyFactory(abbreviation="RC")
    customer = bulk_customer(company)

    results, errors = run_concurrently(
        lambda i: open_receivable_ledger(customer=Customer.objects.get(pk=customer.pk)).pk,
        threads=4,
    )

    assert errors == [None] * 4
    assert PartyLedger.objects.filter(customer=customer).count() == 1
    assert len(set(results)) == 1


def test_two_threads_saving_the_same_customer_in_a_new_company_open_one_ledger():
    company, new_company = CompanyFactory(abbreviation="RA"), CompanyFactory(abbreviation="RB")
    customer = CustomerFactory(company=company)

    def move_and_save(index):
        fresh = Customer.objects.get(pk=customer.pk)
        fresh.company = new_company
        fresh.save()

    _, errors = run_concurrently(move_and_save, threads=3)

    assert errors == [None] * 3
    assert PartyLedger.objects.filter(customer=customer, company=new_company).count() == 1
    assert PartyLedger.objects.filter(customer=customer).count() == 2


def test_two_customers_of_the_same_name_saved_at_once_get_distinct_ledgers():
    company = CompanyFactory(abbreviation="RN")

    _, errors = run_concurrently(lambda i: CustomerFactory(name="Twin", company=company), threads=2)

    assert errors == [None, None]
    names = sorted(PartyLedger.objects.values_list("account__name", flat=True))
    codes = sorted(Customer.objects.values_list("code", flat=True))
    assert len(codes) == 2
    assert names[0] == "Twin - RN" or names[1] == "Twin - RN"
    assert len(set(names)) == 2
