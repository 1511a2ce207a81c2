"""The demo sales load once, through the services, and leave the books consistent."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from crm.selectors import ledgers_annotated_with_balance
from invoicing.models import Payment, SalesInvoice
from invoicing.selectors import submitted_outstanding

pytestmark = pytest.mark.django_db


def test_demo_sales_load_once_with_invoices_in_every_state(capsys):
    call_command("load_demo", "--no-login")
    call_command("load_demo_sales")
    invoices, payments = SalesInvoice.objects.count(), Payment.objects.count()
    call_command("load_demo_sales")

    assert "0 invoices and 0 payments added" in capsys.readouterr().out
    assert (SalesInvoice.objects.count(), Payment.objects.count()) == (invoices, payments)
    statuses = {invoice.status for invoice in SalesInvoice.objects.all()}
    assert {"Draft", "Paid", "Partly Paid", "Overdue", "Cancelled"} <= statuses
    advances = Payment.objects.aggregate(total=Sum("unallocated"))["total"]
    assert advances > 0
    ledgers = ledgers_annotated_with_balance().filter(customer__isnull=False)
    ledger_total = sum((ledger.balance for ledger in ledgers), Decimal(0))
    assert round(ledger_total, 2) == round(submitted_outstanding() - advances, 2)
