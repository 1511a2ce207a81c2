"""Forget uploaded files after a while (run it daily, e.g. from cron; see docs/deployment.md)."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from dataimport.services import purge_old_files


class Command(BaseCommand):
    help = (
        "Delete previews never imported and drop the stored file of finished imports, for "
        "uploads older than --days (default: IMPORT_KEEP_FILES_DAYS)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.IMPORT_KEEP_FILES_DAYS)

    def handle(self, *args, days, **options):
        deleted, dropped = purge_old_files(older_than=timedelta(days=days))
        self.stdout.write(
            f"Deleted {deleted} preview(s) never imported; dropped the file of {dropped} "
            f"finished import(s) older than {days} day(s)."
        )
