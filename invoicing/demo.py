"""Demo sales for the demo customers: price lists, items, credit terms, invoices in every
state and payments, all made through the services so the books are as real ones would be.
Loading twice adds nothing."""

import random
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Account, Company
from crm.models import Customer, CustomerGroup
from pricing.models import Item, PriceList
from pricing.services import add_item_price

from .models import SalesInvoice
from .services import (
    Allocation,
    cancel_invoice,
    create_draft_invoice,
    receive_payment,
    submit_invoice,
)

# code, name, unit, standard cost, EUR rate, USD rate
ITEMS = [
    ("CHAIR-OAK", "Oak office chair", "Nos", "82.00", "149.00", "165.00"),
    ("DESK-160", "Desk 160 x 80 cm", "Nos", "190.00", "349.00", "389.00"),
    ("LAMP-LED", "LED desk lamp", "Nos", "14.50", "39.90", "44.00"),
    ("CABLE-5M", "Network cable, 5 m", "Nos", "1.20", "6.50", "7.20"),
    ("PAPER-A4", "Copy paper A4, box of 5 reams", "Box", "11.00", "24.00", "26.50"),
    ("TONER-BK", "Toner cartridge, black", "Nos", "38.00", "79.00", "88.00"),
    ("SUPPORT-H", "Support, per hour", "Hour", "35.00", "95.00", "105.00"),
    ("INSTALL", "On-site installation", "Nos", "120.00", "250.00", "280.00"),
]
INVOICED_CUSTOMERS = 90
DAYS_BACK = 150


def load_demo_sales() -> dict:
    """Price lists, items and, if there are no invoices yet, the demo invoices and payments."""
    companies = {company.default_currency: company for company in Company.objects.all()}
    if not companies:
        raise ValidationError("Load the demo customers first (manage.py load_demo).")
    _price_lists(companies)
    _credit_terms(companies)
    if SalesInvoice.objects.exists():
        return {"invoices": 0, "payments": 0}
    return _invoices_and_payments()


def _price_lists(companies):
    for currency, company in companies.items():
        price_list, created = PriceList.objects.get_or_create(
            name=f"Standard Selling {currency}", defaults={"currency": currency}
        )
        if company.default_selling_price_list_id is None:
            company.default_selling_price_list = price_list
            company.save()
        if not created:
            continue
        column = 4 if currency == "EUR" else 5
        for row in ITEMS:
            item, _ = Item.objects.get_or_create(
                code=row[0],
                defaults={"name": row[1], "unit_of_measure": row[2], "standard_cost": row[3]},
            )
            add_item_price(price_list=price_list, item=item, rate=Decimal(row[column]))


def _credit_terms(companies):
    for company in companies.values():
        if not company.credit_days_rule:
            company.credit_days_rule, company.credit_days = "fixed_days", 30
            company.save()
    CustomerGroup.objects.filter(name="Wholesale", credit_days_rule="").update(
        credit_days_rule="end_of_next_month"
    )


@transaction.atomic
def _invoices_and_payments() -> dict:
    rng = random.Random(20261204)
    today = timezone.localdate()
    items = list(Item.objects.filter(code__in=[row[0] for row in ITEMS]))
    customers = Customer.objects.filter(
        code__startswith="DEMO-", disabled=False, frozen=False
    ).select_related("company")[:INVOICED_CUSTOMERS]
    counts = {"invoices": 0, "payments": 0}
    for customer in customers:
        for _ in range(rng.randint(1, 4)):
            posting_date = today - timedelta(days=rng.randint(0, DAYS_BACK))
            lines = [
                (rng.choice(items), str(rng.randint(1, 12)), None) for _ in range(rng.randint(1, 4))
            ]
            counts["invoices"] += 1
            invoice = _raise(customer, posting_date, lines, rng)
            if invoice is not None and _settle(invoice, rng, today):
                counts["payments"] += 1
    return counts


def _raise(customer, posting_date, lines, rng):
    """A draft, a submitted or a cancelled invoice; None unless it ends up submitted."""
    invoice = create_draft_invoice(
        company=customer.company, customer=customer, posting_date=posting_date, lines=lines
    )
    if rng.random() < 0.08:
        return None
    try:
        invoice = submit_invoice(invoice=invoice, user=None)
    except ValidationError:  # over the credit limit: it stays a draft, as in real life
        return None
    if rng.random() < 0.04:
        cancel_invoice(invoice=invoice, user=None)
        return None
    return invoice


def _settle(invoice, rng, today) -> bool:
    """Paid in full, in part, with an advance besides, or not at all."""
    chance = rng.random()
    if chance < 0.35:
        return False
    share = invoice.total if chance < 0.8 else (invoice.total / 2).quantize(Decimal("0.01"))
    advance = Decimal("100.00") if chance > 0.95 else Decimal(0)
    paid_on = min(today, invoice.posting_date + timedelta(days=rng.randint(5, 40)))
    mode = rng.choice(["bank_transfer", "bank_transfer", "cash", "cheque"])
    account_type = Account.Type.CASH if mode == "cash" else Account.Type.BANK
    receive_payment(
        company=invoice.company,
        customer=invoice.customer,
        posting_date=paid_on,
        amount=share + advance,
        paid_to=Account.objects.get(company=invoice.company, account_type=account_type),
        mode=mode,
        allocations=[Allocation(invoice, share)],
        reference=f"DEMO-{invoice.number}",
    )
    return True
