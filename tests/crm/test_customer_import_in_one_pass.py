"""The import itself checks and writes in one pass, the cells of the next batch checked in a
second process meanwhile: the same outcome as planning first and writing after."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from config.importing import Mode
from crm import importing
from crm.models import ContactLink, Customer, PartyLedger
from tests.crm.test_customer_import import an_import, row
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_batches(monkeypatch):
    """Several batches from a few rows, so that the second process takes part."""
    monkeypatch.setattr(importing, "BATCH_SIZE", 3)


def rows_of(count, start=0):
    return [row(n + 2, code=f"P-{start + n}", name=f"Pass {start + n}") for n in range(count)]


@pytest.mark.usefixtures("small_batches")
def test_it_writes_what_planning_and_writing_would(defaults):
    seen = []
    with transaction.atomic():
        plan = an_import(defaults).plan_and_write(rows_of(10), progress=seen.append)

    assert (plan.counts.new, plan.counts.invalid) == (10, 0)
    customers = Customer.objects.filter(code__startswith="P-")
    assert sorted(customers.values_list("code", flat=True)) == sorted(f"P-{n}" for n in range(10))
    assert PartyLedger.objects.filter(customer__in=customers).count() == 10
    assert ContactLink.objects.filter(customer__in=customers, is_primary=True).count() == 10
    assert seen == [3, 6, 9, 10]


@pytest.mark.usefixtures("small_batches")
def test_updates_and_unchanged_rows_go_the_same_way(defaults, company):
    CustomerFactory(code="P-1", name="Old name", company=company)
    with transaction.atomic():
        plan = an_import(defaults, mode=Mode.UPSERT).plan_and_write(rows_of(7))

    assert (plan.counts.new, plan.counts.updated) == (6, 1)
    assert Customer.objects.get(code="P-1").name == "Pass 1"


@pytest.mark.usefixtures("small_batches")
def test_a_problem_in_a_later_batch_stops_it_naming_the_row(defaults):
    rows = [*rows_of(7), row(9, code="P-2", name="Again")]

    with pytest.raises(ValidationError) as refused, transaction.atomic():
        an_import(defaults).plan_and_write(rows)

    assert "row 9, Customer Id 'P-2': the same code is on row 4" in refused.value.messages[0]
    assert not Customer.objects.filter(code__startswith="P-").exists()


@pytest.mark.usefixtures("small_batches")
def test_a_failure_while_checking_cells_stops_it(defaults, monkeypatch):
    real_parse = importing.CustomerImport._parse_batch

    def fail_on_the_second_batch(job, batch):
        if batch[0][0] > 2:
            raise LookupError("no such cell")
        return real_parse(job, batch)

    monkeypatch.setattr(importing.CustomerImport, "_parse_batch", fail_on_the_second_batch)

    stopped = pytest.raises(RuntimeError, match=r"rows failed \(LookupError: no such cell\)")
    with stopped, transaction.atomic():
        an_import(defaults).plan_and_write(rows_of(7))

    assert not Customer.objects.filter(code__startswith="P-").exists()


def test_the_preview_counts_the_same_as_the_import(defaults, small_batches):
    rows = [*rows_of(5), row(8, code="P-9", email="not an address")]
    preview = an_import(defaults).plan(rows)
    assert (preview.counts.new, preview.counts.invalid) == (5, 1)
    refused = pytest.raises(ValidationError, match="row 8, Email 'not an address'")
    with refused, transaction.atomic():
        an_import(defaults).plan_and_write(rows)


def test_a_row_travels_between_processes_whole():
    import pickle

    planned = importing.Row(7, {"code": "P-7"}, {"email": "a@b.de"}, {}, importing.Outcome.UPDATED)
    planned.existing_id, planned.customer_changed = 12, True

    assert pickle.loads(pickle.dumps(planned)) == planned
