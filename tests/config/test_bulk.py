"""Many rows at once: COPY on PostgreSQL, bulk_create elsewhere, the same result either way."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Account, NamingSeries
from config import bulk
from crm.models import Customer
from pricing.models import Item
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

AWKWARD = ["tab\there", "new\nline", "back\\slash", 'quote"s', "", "Zoë 北京 🙂", "\\N"]


def test_rows_come_back_with_their_ids_in_order_and_their_values_intact():
    rows = [(f"CODE-{n}", text, Decimal("1.234567"), n % 2 == 0) for n, text in enumerate(AWKWARD)]

    ids = bulk.insert_rows(Item, ["code", "name", "standard_cost", "disabled"], rows)

    stored = Item.objects.in_bulk(ids)
    assert [
        (stored[pk].code, stored[pk].name, stored[pk].standard_cost, stored[pk].disabled)
        for pk in ids
    ] == rows


def test_foreign_keys_and_nulls_are_written_by_attribute_name(company):
    parent = company.receivable_group
    ids = bulk.insert_rows(
        Account,
        ["company_id", "parent_id", "name", "number", "is_group", "root_type", "account_type"],
        [(company.pk, parent.pk, "Bulk ledger - DT", "", False, "asset", "receivable")],
    )
    account = Account.objects.get(pk=ids[0])
    assert account.parent == parent and account.company == company


def test_later_inserts_get_fresh_ids(db):
    first = bulk.insert_rows(NamingSeries, ["prefix", "current"], [("A-", 1)])
    second = NamingSeries.objects.create(prefix="B-", current=0)
    third = bulk.insert_rows(NamingSeries, ["prefix", "current"], [("C-", 1)])
    assert first[0] < second.pk < third[0]


def test_nothing_to_insert_costs_no_query(db):
    with CaptureQueriesContext(connection) as queries:
        assert bulk.insert_rows(Item, ["code", "name"], []) == []
    assert len(queries) == 0


def test_a_chunk_costs_two_queries_on_postgresql(db, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    monkeypatch.setattr(bulk, "COPY_CHUNK", 3)
    with CaptureQueriesContext(connection) as queries:
        bulk.insert_rows(Item, ["code", "name"], [(f"C{n}", "x") for n in range(7)])
    sequences = [q for q in queries.captured_queries if "nextval" in q["sql"]]
    assert len(sequences) == 3
    assert Item.objects.count() == 7


def test_rows_sent_in_chunks_keep_their_order_and_ids(db, monkeypatch):
    monkeypatch.setattr(bulk, "COPY_CHUNK", 5)
    rows = [(f"P{n:02}", f"piece {n}") for n in range(11)]

    ids = bulk.insert_rows(Item, ["code", "name"], rows)

    stored = Item.objects.in_bulk(ids)
    assert [(stored[pk].code, stored[pk].name) for pk in ids] == rows


def test_dates_pass_through(db):
    from pricing.models import ItemPrice, PriceList

    price_list = PriceList.objects.create(name="Bulk", currency="EUR")
    item = Item.objects.create(code="DATED", name="Dated")
    ids = bulk.insert_rows(
        ItemPrice,
        ["price_list_id", "item_id", "rate", "valid_from", "valid_upto"],
        [(price_list.pk, item.pk, Decimal("2.5"), date(2026, 1, 1), None)],
    )
    price = ItemPrice.objects.get(pk=ids[0])
    assert (price.valid_from, price.valid_upto, price.rate) == (
        date(2026, 1, 1),
        None,
        Decimal("2.5"),
    )


def test_left_out_fields_get_their_defaults(db):
    ids = bulk.insert_rows(Item, ["code", "name"], [("PLAIN", "Plain")])
    item = Item.objects.get(pk=ids[0])
    assert (item.unit_of_measure, item.standard_cost, item.disabled) == ("Nos", 0, False)


def test_a_constraint_violation_is_djangos_integrity_error(db):
    from django.db import IntegrityError, transaction

    Item.objects.create(code="TAKEN", name="Taken")
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_rows(Item, ["code", "name"], [("TAKEN", "Again")])
    assert Item.objects.count() == 1


def test_values_of_other_types_go_in_as_their_text(db):
    from django_countries.fields import Country

    from crm.models import Address

    ids = bulk.insert_rows(
        Address, ["line1", "city", "country"], [("Unter den Linden 1", "Berlin", Country("DE"))]
    )
    assert Address.objects.get(pk=ids[0]).country.code == "DE"


@pytest.mark.parametrize("history_type", ["+", "~"])
def test_history_rows_are_copies_of_the_stored_rows(history_type, company):
    user = UserFactory()
    customers = CustomerFactory.create_batch(3, company=company, credit_limit=5000)
    Customer.history.all().delete()
    now = timezone.now()

    bulk.record_history(Customer, [c.pk for c in customers], history_type, user, now)

    for customer in customers:
        [entry] = Customer.history.filter(id=customer.pk)
        assert (entry.history_type, entry.history_user, entry.history_date) == (
            history_type,
            user,
            now,
        )
        assert (entry.code, entry.name, entry.credit_limit, entry.company_id) == (
            customer.code, customer.name, customer.credit_limit, customer.company_id,
        )  # fmt: skip
