"""Fixtures of the CRM tests: a customer and a supplier with the codes import files name."""

import pytest

from tests.factories import CustomerFactory, SupplierFactory


@pytest.fixture
def acme(company):
    return CustomerFactory(code="CUST-00012", name="Acme", company=company)


@pytest.fixture
def vendor(company):
    return SupplierFactory(code="SUPP-00001", name="Paper Mill", company=company)
