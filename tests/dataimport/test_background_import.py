"""Large files are imported by the task worker, with a progress bar the page keeps up to date."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from crm import importing as customer_importing
from crm.models import Customer
from dataimport import progress, services
from dataimport.models import ImportLog
from dataimport.selectors import STALLED_AFTER, progress_figures
from tests.dataimport.helpers import CUSTOMERS_100, choose_columns, previewed_log, upload
from tests.factories import CompanyFactory, CustomerFactory, UserFactory
from tests.helpers import requires_postgresql

SMALL = override_settings(IMPORT_INLINE_MAX_ROWS=10)


@pytest.fixture
def clerk(role_client):
    return role_client("Sales User")


@pytest.fixture
def run_worker(monkeypatch):
    """The task worker, run until no job is left. It closes connections between jobs, as a
    long-running process should; inside a test's transaction that would end the test."""
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)

    def run():
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)

    return run


def queue_customers_100(clerk, company) -> ImportLog:
    log = upload(clerk, company, CUSTOMERS_100.read_bytes()).context["log"]
    choose_columns(clerk, log)
    response = clerk.post(reverse("dataimport:log", args=[log.pk]))
    assert response.status_code == 302
    return ImportLog.objects.get(pk=log.pk)


@pytest.mark.django_db
@SMALL
def test_a_large_file_is_queued_and_the_worker_imports_it(clerk, company, run_worker):
    log = queue_customers_100(clerk, company)
    assert log.status == "queued" and log.task_id
    assert DBTaskResult.objects.get(id=log.task_id).task_path == "dataimport.tasks.import_file"
    assert not Customer.objects.exists()

    waiting = clerk.get(reverse("dataimport:log", args=[log.pk]))
    assert "Waiting for the import worker" in waiting.content.decode()
    assert 'hx-trigger="every 1s"' in waiting.content.decode()

    run_worker()

    log.refresh_from_db()
    assert (log.status, log.new, log.phase, log.rows_done, log.rows_total) == (
        "imported",
        100,
        "importing",
        100,
        100,
    )
    assert Customer.objects.count() == 100
    assert DBTaskResult.objects.get(id=log.task_id).status == "SUCCESSFUL"
    polled = clerk.get(reverse("dataimport:log", args=[log.pk]), headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"
    assert "Imported" in clerk.get(reverse("dataimport:log", args=[log.pk])).content.decode()


@pytest.mark.django_db
@SMALL
def test_pressing_import_twice_queues_one_job(clerk, company, run_worker):
    log = queue_customers_100(clerk, company)
    clerk.post(reverse("dataimport:log", args=[log.pk]))

    assert DBTaskResult.objects.count() == 1
    run_worker()
    assert Customer.objects.count() == 100


@pytest.mark.django_db
@SMALL
def test_a_queued_import_that_fails_writes_nothing_and_says_why(clerk, company, run_worker):
    log = queue_customers_100(clerk, company)
    CustomerFactory(code="DD37Cf93aecA6Dc", name="Meanwhile", company=company)

    run_worker()

    log.refresh_from_db()
    assert log.status == "failed"
    assert log.message.startswith("The file has a problem when checked again")
    assert "row 2, Customer Id 'DD37Cf93aecA6Dc': Meanwhile already has this code" in log.message
    assert Customer.objects.count() == 1
    page = clerk.get(reverse("dataimport:log", args=[log.pk])).content.decode()
    assert "Nothing was written." in page


@pytest.mark.django_db
def test_a_small_file_is_imported_while_the_user_waits(clerk, company):
    log = upload(clerk, company, b"Code,Name\nS-1,Small\n").context["log"]
    clerk.post(reverse("dataimport:log", args=[log.pk]))

    log.refresh_from_db()
    assert (log.status, log.task_id) == ("imported", "")
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_the_running_page_shows_rows_rate_and_time_left(clerk, company):
    log = previewed_log(company)
    started = timezone.now() - timedelta(seconds=10)
    ImportLog.objects.filter(pk=log.pk).update(
        status="running",
        phase="writing",
        rows_total=40_000,
        rows_done=10_000,
        phase_started_at=started,
        progress_at=timezone.now(),
    )

    page = clerk.get(reverse("dataimport:log", args=[log.pk])).content.decode()
    assert "10,000 of 40,000 rows" in page
    assert 'aria-valuenow="25"' in page


def test_progress_figures_give_rate_time_left_and_stalls():
    now = timezone.now()
    log = ImportLog(
        status="running",
        phase="checking",
        rows_total=50_000,
        rows_done=20_000,
        phase_started_at=now - timedelta(seconds=4),
        progress_at=now,
        started_at=now - timedelta(seconds=5),
    )
    figures = progress_figures(log, now=now)
    assert (figures["percent"], figures["rate"], figures["seconds_left"]) == (40, 5000, 6)
    assert figures["phase"] == "Checking the rows again" and not figures["stalled"]

    later = now + STALLED_AFTER + timedelta(seconds=1)
    assert progress_figures(log, now=later)["stalled"]

    log.rows_done = 0
    fresh = progress_figures(log, now=now)
    assert (fresh["rate"], fresh["seconds_left"], fresh["percent"]) == (None, None, 0)


# --- progress is seen while the import's transaction is open (PostgreSQL) -------------------


@requires_postgresql
@pytest.mark.usefixtures("migrated_rows")
@override_settings(IMPORT_INLINE_MAX_ROWS=10)
def test_progress_moves_while_the_imported_rows_stay_invisible(monkeypatch):
    company = CompanyFactory(name="Progress Trading", abbreviation="PT")
    log = previewed_log(company, CUSTOMERS_100.read_bytes())
    ImportLog.objects.filter(pk=log.pk).update(options={"columns": unknown_left_out()})
    monkeypatch.setattr(customer_importing, "BATCH_SIZE", 10)
    halfway, resume = threading.Event(), threading.Event()
    real_insert = customer_importing._insert_customers

    batches = []

    def pause_before_the_second_batch(rows, *args, **kwargs):
        batches.append(len(rows))
        if len(batches) == 2:
            halfway.set()
            resume.wait(timeout=30)
        real_insert(rows, *args, **kwargs)

    monkeypatch.setattr(customer_importing, "_insert_customers", pause_before_the_second_batch)
    monkeypatch.setattr(progress, "INTERVAL", 0)
    user = UserFactory()
    worker = threading.Thread(target=import_in_own_connection, args=(log.pk, user))
    worker.start()
    try:
        assert halfway.wait(timeout=30)
        seen = ImportLog.objects.get(pk=log.pk)
        assert (seen.status, seen.phase, seen.rows_done) == ("running", "importing", 10)
        assert seen.rows_total == 100
        assert not Customer.objects.filter(company=company).exists()
    finally:
        resume.set()
        worker.join(timeout=60)
    log.refresh_from_db()
    assert (log.status, log.rows_done) == ("imported", 100)
    assert Customer.objects.filter(company=company).count() == 100


def unknown_left_out():
    return {"Index": "", "Phone 2": "", "Subscription Date": ""}


def import_in_own_connection(log_id, user):
    try:
        services.run_import(log_id=log_id, user=user)
    finally:
        connections.close_all()
