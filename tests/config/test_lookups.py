"""AnyOf: an IN list that PostgreSQL receives as one array."""

import pytest
from django.db import connection
from django.db.models import F
from django.db.models.functions import Upper
from django.test.utils import CaptureQueriesContext

from config.lookups import AnyOf
from crm.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_any_of_finds_the_rows_whose_value_is_in_the_list(company):
    for code in ("A-1", "B-2", "C-3"):
        CustomerFactory(code=code, company=company)

    with CaptureQueriesContext(connection) as queries:
        found = set(
            Customer.objects.filter(AnyOf(F("code"), ["A-1", "C-3", "Z-9", None])).values_list(
                "code", flat=True
            )
        )
    assert found == {"A-1", "C-3"}
    if connection.vendor == "postgresql":
        assert "= ANY(" in queries[0]["sql"]


def test_any_of_works_on_expressions_and_empty_lists(company):
    CustomerFactory(code="lower-1", company=company)
    upper = Customer.objects.annotate(upper_code=Upper("code"))
    assert upper.filter(AnyOf(F("upper_code"), ["LOWER-1"])).count() == 1
    assert not upper.filter(AnyOf(F("upper_code"), [])).exists()
