from django.core.management.base import BaseCommand

from crm.demo import ensure_demo_login, load_demo


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print the demo login."

    def add_arguments(self, parser):
        parser.add_argument("--no-login", action="store_true", help="Do not create a login.")

    def handle(self, *args, no_login=False, **options):
        result = load_demo()
        self.stdout.write(
            f"Demo data: {result['companies']} companies, "
            f"{result['customers_created']} customers added."
        )
        if not no_login:
            username, password = ensure_demo_login()
            self.stdout.write(self.style.SUCCESS(f"Log in as {username} / {password}"))
