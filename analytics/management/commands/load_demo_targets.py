from django.core.management.base import BaseCommand

from analytics.demo import load_demo_targets


class Command(BaseCommand):
    help = "Load demo sales targets for this year (idempotent)."

    def handle(self, *args, **options):
        self.stdout.write(f"Demo targets: {load_demo_targets()} added.")
