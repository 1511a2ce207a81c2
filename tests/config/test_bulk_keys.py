"""Foreign keys of bulk inserts, checked once per batch on PostgreSQL: a missing row is refused,
every row referred to is locked until commit, and the triggers stay where they must."""

import threading

import pytest
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from config import bulk
from crm.models import Contact, ContactLink, Customer, CustomerGroup, Territory
from pricing.models import Item
from tests.factories import CompanyFactory
from tests.helpers import requires_postgresql

pytestmark = [pytest.mark.django_db, requires_postgresql]

CUSTOMER_FIELDS = ["code", "name", "company_id", "customer_group_id", "territory_id"]


def customer_row(code, company, group, territory):
    return (code, f"Customer {code}", company.pk, group.pk, territory.pk)


def replication_role():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        return cursor.fetchone()[0]


def immediate_key_checks():
    """Run the foreign key triggers queued so far, as the commit would."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def missing_group_row(company, territory):
    return ("B-1", "One", company.pk, 999999, territory.pk)


@pytest.fixture
def masters(db):
    company = CompanyFactory()
    group = CustomerGroup.objects.create(name="Bulk group")
    territory = Territory.objects.create(name="Bulk territory")
    return company, group, territory


def test_a_row_referring_to_a_missing_row_is_refused_naming_the_key(masters):
    company, group, territory = masters
    rows = [
        customer_row("B-1", company, group, territory),
        ("B-2", "Two", company.pk, 999999, territory.pk),
    ]

    with (
        pytest.raises(IntegrityError, match=r'"customer_group_id": \[999999\]'),
        transaction.atomic(),
    ):
        bulk.insert_rows(Customer, CUSTOMER_FIELDS, rows)

    assert not Customer.objects.filter(code__startswith="B-").exists()


def test_the_triggers_are_back_on_after_the_batch(masters):
    company, group, territory = masters
    bulk.insert_rows(Customer, CUSTOMER_FIELDS, [customer_row("B-1", company, group, territory)])

    assert replication_role() == "origin"


def test_the_triggers_are_back_on_after_an_error_that_leaves_the_transaction_going(
    masters, monkeypatch
):
    company, group, territory = masters

    def broken(*args):
        raise RuntimeError("not the database's")

    monkeypatch.setattr(bulk, "_sequence_oid", broken)
    with transaction.atomic():
        with pytest.raises(RuntimeError):
            bulk.insert_rows(
                Customer, CUSTOMER_FIELDS, [customer_row("B-1", company, group, territory)]
            )
        assert replication_role() == "origin"


def test_rows_written_in_the_same_transaction_may_be_referred_to(masters):
    company, group, territory = masters
    with transaction.atomic():
        [customer_id] = bulk.insert_rows(
            Customer, CUSTOMER_FIELDS, [customer_row("B-1", company, group, territory)]
        )
        [contact_id] = bulk.insert_rows(Contact, ["first_name", "last_name"], [("Ada", "Lovelace")])
        bulk.insert_rows(
            ContactLink,
            ["contact_id", "customer_id", "is_primary"],
            [(contact_id, customer_id, True)],
        )
        immediate_key_checks()

    assert ContactLink.objects.get(customer_id=customer_id).contact_id == contact_id


def test_rows_written_earlier_in_the_transaction_need_no_lock(masters):
    company, group, territory = masters
    with transaction.atomic():
        [customer_id] = bulk.insert_rows(
            Customer, CUSTOMER_FIELDS, [customer_row("B-1", company, group, territory)]
        )
        [contact_id] = bulk.insert_rows(Contact, ["first_name"], [("Ada",)])
        with CaptureQueriesContext(connection) as queries:
            bulk.insert_rows(
                ContactLink, ["contact_id", "customer_id"], [(contact_id, customer_id)]
            )

    assert not [q for q in queries.captured_queries if "FOR KEY SHARE" in q["sql"]]


def test_rows_of_a_savepoint_rolled_back_are_checked_again(masters):
    company, group, territory = masters
    with transaction.atomic():
        [contact_id] = bulk.insert_rows(Contact, ["first_name"], [("Ada",)])
        with pytest.raises(RuntimeError), transaction.atomic():
            [customer_id] = bulk.insert_rows(
                Customer, CUSTOMER_FIELDS, [customer_row("B-1", company, group, territory)]
            )
            raise RuntimeError("undone")

        with pytest.raises(IntegrityError, match="customer_id"), transaction.atomic():
            bulk.insert_rows(
                ContactLink, ["contact_id", "customer_id"], [(contact_id, customer_id)]
            )


@override_settings(BULK_KEY_CHECKS_PER_BATCH=False)
def test_switched_off_the_triggers_check_at_commit_as_usual(masters):
    company, _, territory = masters
    with pytest.raises(IntegrityError, match="customer_group_id"), transaction.atomic():
        bulk.insert_rows(
            Customer, CUSTOMER_FIELDS, [("B-1", "One", company.pk, 999999, territory.pk)]
        )
        assert replication_role() == "origin"
        immediate_key_checks()


def test_a_role_without_the_privilege_keeps_the_triggers(masters):
    company, _, territory = masters
    with pytest.raises(IntegrityError, match="customer_group_id"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("CREATE ROLE bulk_plain_clerk NOLOGIN")
            cursor.execute("GRANT ALL ON ALL TABLES IN SCHEMA public TO bulk_plain_clerk")
            cursor.execute("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO bulk_plain_clerk")
            cursor.execute("SET LOCAL ROLE bulk_plain_clerk")
        # no error from the batch check: the trigger is what refuses it
        bulk.insert_rows(
            Customer, CUSTOMER_FIELDS, [("B-1", "One", company.pk, 999999, territory.pk)]
        )
        immediate_key_checks()


def test_a_table_with_a_trigger_of_its_own_keeps_its_triggers(masters):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE fired (n int)")
        cursor.execute(
            "CREATE FUNCTION pg_temp.count_item() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN INSERT INTO fired VALUES (1); RETURN NEW; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER count_item AFTER INSERT ON pricing_item "
            "FOR EACH ROW EXECUTE FUNCTION pg_temp.count_item()"
        )
        bulk.insert_rows(Item, ["code", "name"], [("T-1", "One"), ("T-2", "Two")])
        cursor.execute("SELECT count(*) FROM fired")
        assert cursor.fetchone()[0] == 2
        transaction.set_rollback(True)


@pytest.mark.django_db(transaction=True)
def test_a_row_referred_to_cannot_be_deleted_before_the_import_commits():
    """The batch check locks what it read, as the triggers do: a concurrent delete of a
    customer group waits for the import, then fails on the customers that now use it."""
    company = CompanyFactory()
    group = CustomerGroup.objects.create(name="Held group")
    territory = Territory.objects.create(name="Held territory")
    inserted, finish = threading.Event(), threading.Event()
    outcome = {}

    def import_customers():
        try:
            with transaction.atomic():
                bulk.insert_rows(
                    Customer, CUSTOMER_FIELDS, [customer_row("H-1", company, group, territory)]
                )
                inserted.set()
                finish.wait(timeout=10)
        finally:
            connection.close()

    def delete_group(lock_timeout):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{lock_timeout}'")
                cursor.execute("DELETE FROM crm_customergroup WHERE id = %s", [group.pk])
            outcome[lock_timeout] = "deleted"
        except (OperationalError, IntegrityError) as error:
            outcome[lock_timeout] = type(error).__name__
        finally:
            connection.close()

    importer = threading.Thread(target=import_customers)
    importer.start()
    assert inserted.wait(timeout=10)
    waiting = threading.Thread(target=delete_group, args=("300ms",))
    waiting.start()
    waiting.join(timeout=10)
    finish.set()
    importer.join(timeout=10)
    after = threading.Thread(target=delete_group, args=("5s",))
    after.start()
    after.join(timeout=10)

    assert outcome == {"300ms": "OperationalError", "5s": "IntegrityError"}
    assert Customer.objects.get(code="H-1").customer_group_id == group.pk
    Customer.objects.filter(code="H-1").delete()
