"""In a real browser: upload customers-100.csv, read its preview, fix it, import it, and open
an imported customer with its ledger."""

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Company
from crm.models import Customer
from dataimport.models import ImportLog
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.dataimport.helpers import CUSTOMERS_100, previewed_log
from tests.dataimport.test_import_page import spoiled_customers_100
from tests.factories import CompanyFactory

pytestmark = pytest.mark.usefixtures("migrated_rows")

DOCS_IMAGE = Path(__file__).resolve().parents[2] / "docs" / "img" / "import-preview.png"


def upload(page, path):
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_defaults-customer_group", label="All Customer Groups › Commercial")
    page.select_option("#id_defaults-territory", label="All Territories › Rest of the World")
    page.click("button:has-text('Preview')")
    page.wait_for_selector("h1:has-text('Preview')")


def test_importing_customers_100_and_opening_one(logged_in, live_server, tmp_path):
    company = CompanyFactory(name="Demo Trading", abbreviation="DT")
    assert Company.objects.count() == 1
    page = logged_in

    page.goto(f"{live_server.url}/import/")
    assert page.locator("#id_defaults-company").input_value() == str(company.pk)
    screenshot(page, "import-start")

    spoiled = tmp_path / "customers-100.csv"
    spoiled.write_bytes(spoiled_customers_100())
    upload(page, spoiled)
    assert page.locator("[data-count=new]").inner_text() == "92"
    assert page.locator("[data-count=invalid]").inner_text() == "8"
    assert page.locator("#problems tbody tr").count() == 8
    unknown = page.locator("#unknown-columns label")
    assert unknown.all_inner_texts() == ["Index", "Phone 2", "Subscription Date"]
    assert page.locator("button:has-text('Import')").is_disabled()
    screenshot(page, "import-preview-problems")
    shutil.copyfile(SCREENSHOTS / "import-preview-problems.png", DOCS_IMAGE)

    page.click("text=Upload another file")
    upload(page, CUSTOMERS_100)
    assert page.locator("[data-count=new]").inner_text() == "100"
    assert page.locator("button:has-text('Import')").is_disabled()
    for select in page.locator("#unknown-columns select").all():
        select.select_option(label="Leave this column out")
    screenshot(page, "import-columns")
    page.click("text=Apply and check again")
    page.wait_for_selector("text=left out, as chosen")
    screenshot(page, "import-preview")
    page.click("button:has-text('Import')")
    page.wait_for_selector("text=customers-100.csv imported.")
    screenshot(page, "import-result")
    assert Customer.objects.count() == 100

    page.click("#new-records >> text=DD37Cf93aecA6Dc")
    page.wait_for_selector("h1:has-text('Rasmussen Group')")
    assert "Rasmussen Group - DT" in page.locator("#ledgers").inner_text()

    page.goto(f"{live_server.url}/import/history/")
    assert page.locator("tbody tr").count() == 2
    screenshot(page, "import-history")


def test_a_large_import_runs_in_the_background_and_the_page_follows_it(
    logged_in, live_server, settings
):
    settings.IMPORT_INLINE_MAX_ROWS = 10
    CompanyFactory(name="Demo Trading", abbreviation="DT")
    page = logged_in
    page.goto(f"{live_server.url}/import/")
    upload(page, CUSTOMERS_100)
    for select in page.locator("#unknown-columns select").all():
        select.select_option(label="Leave this column out")
    page.click("text=Apply and check again")
    page.wait_for_selector("text=A file this large is imported in the background")

    page.click("button:has-text('Import')")
    page.wait_for_selector("#import-progress >> text=Waiting for the import worker")
    screenshot(page, "import-queued")
    assert not Customer.objects.exists()

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    page.wait_for_selector("h1 >> text=Customers from customers-100.csv")
    page.wait_for_selector(".badge:has-text('Imported')")
    screenshot(page, "import-background-result")
    assert Customer.objects.count() == 100


def test_a_running_import_shows_rows_rate_and_time_left(logged_in, live_server):
    company = CompanyFactory(name="Demo Trading", abbreviation="DT")
    log = previewed_log(company)
    ImportLog.objects.filter(pk=log.pk).update(
        status="running",
        phase="importing",
        rows_total=100_000,
        rows_done=37_500,
        phase_started_at=timezone.now() - timedelta(seconds=6),
        progress_at=timezone.now(),
    )
    page = logged_in
    page.goto(f"{live_server.url}/import/{log.pk}/")
    bar = page.locator("#import-progress [role=progressbar]")
    assert bar.get_attribute("aria-valuenow") == "38"
    card = page.locator("#import-progress").inner_text()
    assert "Checking and writing the rows: 37,500 of 100,000 rows" in card
    screenshot(page, "import-progress")
    shutil.copyfile(
        SCREENSHOTS / "import-progress.png", DOCS_IMAGE.with_name("import-progress.png")
    )
