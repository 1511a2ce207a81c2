"""Fixtures of the CRM tests: import defaults, and a customer and a supplier with the codes
import files name."""

import pytest

from crm.importing import Defaults
from crm.models import CustomerGroup, Territory
from tests.factories import CustomerFactory, SupplierFactory


@pytest.fixture
def defaults(company):
    """What the import page fills in where a customer file says nothing."""
    return Defaults(
        company=company,
        customer_group=CustomerGroup.objects.leaves().first(),
        territory=Territory.objects.leaves().first(),
    )


@pytest.fixture
def acme(company):
    return CustomerFactory(code="CUST-00012", name="Acme", company=company)


@pytest.fixture
def vendor(company):
    return SupplierFactory(code="SUPP-00001", name="Paper Mill", company=company)
