"""Read models for the CRM."""

from accounts.models import Account, Company, JournalEntry

from .models import Customer, CustomerGroup, PartyLedger, Supplier, Territory


def home_counts() -> list[tuple[str, int]]:
    return [
        ("Companies", Company.objects.count()),
        ("Customers", Customer.objects.count()),
        ("Active customers", Customer.objects.active().count()),
        ("Suppliers", Supplier.objects.count()),
        ("Customer groups", CustomerGroup.objects.count()),
        ("Territories", Territory.objects.count()),
        ("Party ledgers", PartyLedger.objects.count()),
        ("Accounts", Account.objects.count()),
        ("Journal entries", JournalEntry.objects.count()),
    ]
