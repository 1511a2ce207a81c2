"""Raising a draft invoice: what it takes from the customer, and what it refuses."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crm.models import SalesPartner, SalesPerson, SalesTeamMember
from invoicing.models import SalesInvoice, SalesInvoiceLine
from invoicing.services import create_draft_invoice, delete_draft_invoice, set_invoice_lines
from pricing.models import PriceList
from tests.factories import CustomerFactory
from tests.invoicing.helpers import POSTING_DATE, draft, submitted

pytestmark = pytest.mark.django_db


def test_a_draft_takes_the_price_list_rates_and_totals_its_lines(customer, widget, gadget):
    invoice = create_draft_invoice(
        company=customer.company,
        customer=customer,
        posting_date=POSTING_DATE,
        lines=[(widget, "3", None), (gadget, Decimal("1.5"), None), (widget, 1, "7.333")],
    )

    amounts = list(invoice.lines.values_list("rate", "amount"))
    assert [(round(rate, 3), round(amount, 2)) for rate, amount in amounts] == [
        (Decimal("10"), Decimal("30.00")),
        (Decimal("2.5"), Decimal("3.75")),
        (Decimal("7.333"), Decimal("7.33")),
    ]
    invoice.refresh_from_db()
    assert round(invoice.total, 2) == Decimal("41.08")
    assert invoice.price_list.name == "Standard Selling"
    assert invoice.currency == "EUR"
    assert invoice.number == ""
    assert invoice.status == "Draft"


def test_line_amounts_round_half_up_to_cents(customer, widget):
    invoice = draft(customer, widget, quantity="1", rate="0.125")
    assert round(invoice.lines.get().amount, 2) == Decimal("0.13")


def test_the_due_date_follows_the_customers_credit_terms(customer, widget):
    customer.credit_days_rule, customer.credit_days = "fixed_days", 30
    customer.save()
    assert draft(customer, widget).due_date == date(2026, 4, 9)


def test_without_terms_the_invoice_is_due_on_its_date(customer, widget):
    assert draft(customer, widget).due_date == POSTING_DATE


def test_a_due_date_before_the_posting_date_is_refused(customer, widget):
    with pytest.raises(ValidationError, match="is before the posting date"):
        create_draft_invoice(
            company=customer.company,
            customer=customer,
            posting_date=POSTING_DATE,
            due_date=date(2026, 3, 9),
            lines=[(widget, 1, None)],
        )
    assert not SalesInvoice.objects.exists()


def test_the_sales_partner_commission_and_sales_team_come_from_the_customer(customer, widget):
    partner = SalesPartner.objects.create(
        name="Northern Agents", partner_type="agent", commission_rate=Decimal("5")
    )
    root = SalesPerson.objects.get(name="Sales Team")
    ann = SalesPerson.objects.create(name="Ann", parent=root)
    bob = SalesPerson.objects.create(name="Bob", parent=root)
    SalesTeamMember.objects.create(customer=customer, sales_person=ann, contribution=60)
    SalesTeamMember.objects.create(customer=customer, sales_person=bob, contribution=40)
    customer.default_sales_partner = partner
    customer.save()

    invoice = draft(customer, widget)
    SalesTeamMember.objects.filter(customer=customer).delete()  # later changes do not reach it

    assert invoice.sales_partner == partner
    assert invoice.commission_rate == Decimal("5")
    team = [(m.sales_person.name, round(m.contribution)) for m in invoice.sales_team.all()]
    assert team == [("Ann", 60), ("Bob", 40)]


def test_the_customers_own_commission_rate_wins_over_the_partners(customer, widget):
    customer.default_sales_partner = SalesPartner.objects.create(
        name="Agents", partner_type="agent", commission_rate=Decimal("5")
    )
    customer.default_commission_rate = Decimal("7.5")
    customer.save()
    assert round(draft(customer, widget).commission_rate, 1) == Decimal("7.5")


@pytest.mark.parametrize("flag", ["frozen", "disabled"])
def test_a_frozen_or_disabled_customer_cannot_be_invoiced(company, widget, flag):
    customer = CustomerFactory(name="Acme", company=company, **{flag: True})
    with pytest.raises(ValidationError) as refused:
        draft(customer, widget)
    assert refused.value.messages == [f"Acme (CUST-00001) is {flag} and cannot be invoiced."]
    assert not SalesInvoice.objects.exists()


def test_a_price_list_in_another_currency_is_refused(customer, widget):
    customer.default_price_list = PriceList.objects.create(name="Dollar List", currency="USD")
    customer.save()
    with pytest.raises(ValidationError) as refused:
        draft(customer, widget)
    assert refused.value.messages == [
        "Price list Dollar List (customer) is in USD, but Demo Trading invoices in EUR. "
        "Give Acme (CUST-00001) a price list in EUR."
    ]


def test_an_item_without_a_price_names_the_line_and_the_item(customer, widget, unpriced_item):
    with pytest.raises(ValidationError) as refused:
        create_draft_invoice(
            company=customer.company,
            customer=customer,
            posting_date=POSTING_DATE,
            lines=[(widget, 1, None), (unpriced_item, 2, None)],
        )
    assert refused.value.messages == [
        "Line 2 (DOODAD Doodad): the item has no price in Standard Selling on 2026-03-10; "
        "give a rate."
    ]
    assert not SalesInvoice.objects.exists()
    assert not SalesInvoiceLine.objects.exists()


def test_without_any_price_list_every_line_needs_a_rate(customer, unpriced_item):
    with pytest.raises(ValidationError, match=r"Line 1 \(DOODAD Doodad\): give a rate; Acme"):
        draft(customer, unpriced_item)
    invoice = draft(customer, unpriced_item, rate="4")
    assert invoice.price_list is None
    assert round(invoice.total, 2) == Decimal("4.00")


@pytest.mark.parametrize(
    ("quantity", "rate", "message"),
    [
        ("0", "1", "Line 1 (DOODAD Doodad): the quantity must be more than 0."),
        ("-1", "1", "Line 1 (DOODAD Doodad): the quantity must be more than 0."),
        ("1", "-1", "Line 1 (DOODAD Doodad): the rate cannot be negative."),
        ("lots", "1", "Line 1 (DOODAD Doodad): 'lots' is not a valid quantity."),
        ("NaN", "1", "Line 1 (DOODAD Doodad): 'NaN' is not a valid quantity."),
        ("1", "1e12", "Line 1 (DOODAD Doodad): '1e12' is not a valid rate."),
    ],
)
def test_bad_quantities_and_rates_are_refused_with_the_line(
    customer, unpriced_item, quantity, rate, message
):
    with pytest.raises(ValidationError) as refused:
        draft(customer, unpriced_item, quantity=quantity, rate=rate)
    assert refused.value.messages == [message]
    assert not SalesInvoice.objects.exists()


def test_quantities_and_rates_keep_six_decimal_places_rounded_half_up(customer, unpriced_item):
    invoice = draft(customer, unpriced_item, quantity="2.0000005", rate="1.0000004")
    line = invoice.lines.get()
    assert (line.quantity, line.rate) == (Decimal("2.000001"), Decimal("1.000000"))
    assert round(line.amount, 2) == Decimal("2.00")


def test_floats_are_refused(customer, unpriced_item):
    with pytest.raises(TypeError, match="never floats"):
        draft(customer, unpriced_item, quantity=0.1, rate="1")


def test_an_invoice_needs_a_line(customer):
    with pytest.raises(ValidationError, match="at least one line"):
        create_draft_invoice(
            company=customer.company, customer=customer, posting_date=POSTING_DATE, lines=[]
        )


def test_a_drafts_lines_can_be_replaced(customer, widget, gadget):
    invoice = draft(customer, widget, quantity="2")
    set_invoice_lines(invoice=invoice, lines=[(gadget, "4", None)])
    invoice.refresh_from_db()
    assert [line.item for line in invoice.lines.all()] == [gadget]
    assert round(invoice.total, 2) == Decimal("10.00")


def test_a_submitted_invoices_lines_cannot_be_changed(customer, widget, gadget):
    invoice = submitted(customer, widget)
    with pytest.raises(ValidationError) as refused:
        set_invoice_lines(invoice=invoice, lines=[(gadget, "4", None)])
    assert refused.value.messages == [
        "SINV-DT-2026-00001 is submitted; its lines cannot be changed."
    ]
    assert [line.item for line in invoice.lines.all()] == [widget]


def test_a_draft_can_be_deleted_with_its_lines(customer, widget):
    invoice = draft(customer, widget)
    delete_draft_invoice(invoice=invoice)
    assert not SalesInvoice.objects.exists()
    assert not SalesInvoiceLine.objects.exists()


def test_a_submitted_invoice_cannot_be_deleted(customer, widget):
    invoice = submitted(customer, widget)
    with pytest.raises(ValidationError, match="is submitted; it cannot be deleted; cancel it"):
        delete_draft_invoice(invoice=invoice)
    with pytest.raises(ValidationError, match="only drafts can be deleted"):
        invoice.delete()
    assert SalesInvoice.objects.filter(pk=invoice.pk).exists()
