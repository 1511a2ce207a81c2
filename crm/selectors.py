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


def namesakes(customer, limit=5) -> list[Customer]:
    """Other customers with the same name (case-insensitive): possible duplicates."""
    return list(
        Customer.objects.filter(name__iexact=customer.name)
        .exclude(pk=customer.pk)
        .order_by("code")[:limit]
    )
