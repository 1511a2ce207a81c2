import time

from django.core.management.base import BaseCommand

from analytics.summaries import rebuild_all


class Command(BaseCommand):
    help = (
        "Rebuild the summaries the sales reports and the dashboard read, from every invoice "
        "and payment (after loading invoices or payments around the services, e.g. in SQL)."
    )

    def handle(self, *args, **options):
        start = time.perf_counter()
        invoices = rebuild_all()
        seconds = time.perf_counter() - start
        self.stdout.write(f"Summed up {invoices:,} submitted invoices in {seconds:.1f} s.")
