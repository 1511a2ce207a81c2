"""The report summaries follow every invoice and payment, and a rebuild gives the same rows."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command

from analytics import summaries
from analytics.models import CustomerOpenAmount, OpenAmountByDueDate, SalesFact
from invoicing.services import cancel_invoice
from tests.invoicing.helpers import invoice_on

pytestmark = pytest.mark.django_db

D = Decimal


def snapshot() -> dict:
    return {
        "facts": sorted(
            SalesFact.objects.values_list(
                "invoice_id", "net_sales", "cost", "outstanding", "paid", "paid_days"
            )
        ),
        "open": sorted(
            CustomerOpenAmount.objects.values_list("customer_id", "company_id", "outstanding")
        ),
        "by_day": sorted(
            OpenAmountByDueDate.objects.values_list("company_id", "due_date", "outstanding")
        ),
    }


def test_a_rebuild_gives_the_rows_the_services_kept(book):
    kept = snapshot()
    kept["by_day"] = [row for row in kept["by_day"] if row[2]]  # days paid in full stay at 0

    summaries.rebuild_all()

    assert snapshot() == kept
    assert len(kept["facts"]) == 8  # the submitted invoices; not the draft, not the cancelled


def test_a_fact_sums_up_cost_and_payments(book):
    fact = SalesFact.objects.get(invoice=book.invoices["A2"])

    assert (fact.net_sales, fact.cost, fact.outstanding) == (D(40), D(30), D(20))
    assert (fact.paid, fact.paid_days) == (D(20), D(100))  # 20 paid after 5 days


def test_open_amounts_per_customer_and_per_due_date(book):
    open_amounts = {
        (row.customer.name, row.company.name): row.outstanding
        for row in CustomerOpenAmount.objects.select_related("customer", "company")
    }

    assert open_amounts == {
        ("Alpha", "Demo Trading"): D(20),
        ("Bravo", "Demo Trading"): D(300),
        ("Charlie", "Demo Trading"): D(50),
        ("Delta", "Demo Trading"): D(1025),
        ("Echo", "Other Works"): D(999),
    }
    by_day = OpenAmountByDueDate.objects.get(company=book.company, due_date=date(2026, 3, 10))
    assert by_day.outstanding == D(300)
    paid_in_full = OpenAmountByDueDate.objects.get(company=book.company, due_date=date(2026, 3, 5))
    assert paid_in_full.outstanding == 0  # A1: the day keeps its row


def test_nothing_changes_before_the_commit(book):
    before = snapshot()

    invoice_on(
        book.customers["alpha"], "70", date(2026, 3, 28), item=book.invoices["A1"].lines.get().item
    )

    assert snapshot() == before


def test_a_new_invoice_and_its_cancellation_are_summed_up_at_commit(book, committed):
    widget = book.invoices["A1"].lines.get().item
    with committed():
        invoice = invoice_on(book.customers["alpha"], "70", date(2026, 3, 28), item=widget)

    assert SalesFact.objects.get(invoice=invoice).cost == D(6)
    alpha = book.customers["alpha"]
    assert CustomerOpenAmount.objects.get(customer=alpha).outstanding == D(90)

    with committed():
        cancel_invoice(invoice=invoice, user=None)

    assert not SalesFact.objects.filter(invoice=invoice).exists()
    assert CustomerOpenAmount.objects.get(customer=alpha).outstanding == D(20)
    assert OpenAmountByDueDate.objects.get(due_date=date(2026, 3, 28)).outstanding == 0


def test_a_new_standard_cost_reaches_past_invoices(book, committed):
    widget = book.invoices["A1"].lines.get().item
    widget.standard_cost = D("7.5")
    with committed():
        widget.save()

    assert SalesFact.objects.get(invoice=book.invoices["A1"]).cost == D(75)  # 10 x 7.50
    assert SalesFact.objects.get(invoice=book.invoices["A2"]).cost == D(30)  # a gadget


def test_the_command_rebuilds_every_row(book, capsys):
    SalesFact.objects.all().delete()
    CustomerOpenAmount.objects.all().delete()

    call_command("refresh_sales_summaries")

    assert SalesFact.objects.count() == 8
    assert CustomerOpenAmount.objects.count() == 5
    assert "Summed up 8 submitted invoices" in capsys.readouterr().out
