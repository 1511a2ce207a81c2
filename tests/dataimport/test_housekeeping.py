"""Uploaded files are not kept for ever."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from dataimport.models import ImportLog
from tests.dataimport.helpers import previewed_log

pytestmark = pytest.mark.django_db


def aged(log, days, status):
    ImportLog.objects.filter(pk=log.pk).update(
        started_at=timezone.now() - timedelta(days=days), status=status
    )
    return log


def test_old_previews_go_and_old_imports_keep_their_log_without_the_file(company, capsys):
    stale_preview = aged(previewed_log(company), 31, "previewed")
    fresh_preview = aged(previewed_log(company), 29, "previewed")
    old_import = aged(previewed_log(company), 40, "imported")
    old_failure = aged(previewed_log(company), 40, "failed")
    running = aged(previewed_log(company), 40, "running")

    call_command("purge_import_files", days=30)

    assert "Deleted 1 preview(s) never imported; dropped the file of 2" in capsys.readouterr().out
    assert not ImportLog.objects.filter(pk=stale_preview.pk).exists()
    kept = {log.pk: bytes(log.content) for log in ImportLog.objects.all()}
    assert kept[old_import.pk] == kept[old_failure.pk] == b""
    assert kept[fresh_preview.pk] == kept[running.pk] == b"Name\nMatrix Customer\n"
    old_import.refresh_from_db()
    assert (old_import.sha256, old_import.new) == ("0" * 64, 1)


def test_a_purged_import_still_shows_its_result(admin_client, company):
    log = aged(previewed_log(company), 40, "imported")
    call_command("purge_import_files", days=30)

    page = admin_client.get(reverse("dataimport:log", args=[log.pk]))
    assert page.status_code == 200 and "matrix.csv" in page.content.decode()
