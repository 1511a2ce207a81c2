from django.core.management.base import BaseCommand

from invoicing.demo import load_demo_sales


class Command(BaseCommand):
    help = "Load demo price lists, items, invoices and payments (idempotent)."

    def handle(self, *args, **options):
        result = load_demo_sales()
        self.stdout.write(
            f"Demo sales: {result['invoices']} invoices and {result['payments']} payments added."
        )
