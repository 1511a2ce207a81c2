"""A due date later than the terms, and editing a draft's header and lines."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from crm.models import CustomerGroup, SalesPartner
from invoicing.models import SalesInvoice
from invoicing.services import create_draft_invoice, submit_invoice, update_draft_invoice
from tests.factories import CustomerFactory, UserFactory
from tests.invoicing.helpers import POSTING_DATE, draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_30_days(customer):
    customer.credit_days_rule, customer.credit_days = "fixed_days", 30
    customer.save()
    return customer


def raise_with_due_date(customer, item, due_date, user=None):
    return create_draft_invoice(
        company=customer.company,
        customer=customer,
        posting_date=POSTING_DATE,
        due_date=due_date,
        lines=[(item, "1", None)],
        user=user,
    )


def test_an_earlier_due_date_than_the_terms_is_fine(on_30_days, widget):
    invoice = raise_with_due_date(on_30_days, widget, date(2026, 3, 20))
    assert invoice.due_date == date(2026, 3, 20) and invoice.due_date_note == ""


def test_a_due_date_later_than_the_terms_is_refused_with_the_terms(on_30_days, widget):
    clerk = UserFactory(roles=["Accounts User"])
    with pytest.raises(ValidationError) as refused:
        raise_with_due_date(on_30_days, widget, date(2026, 4, 10), user=clerk)
    assert refused.value.message_dict["due_date"] == [
        "The due date 2026-04-10 is later than the terms allow: the terms of customer "
        "Acme (CUST-00001) make it due on 2026-04-09. A Credit Controller can extend it."
    ]
    assert not SalesInvoice.objects.exists()


def test_without_terms_any_later_due_date_is_refused(customer, widget):
    with pytest.raises(ValidationError, match="without credit terms it is due on 2026-03-10"):
        raise_with_due_date(customer, widget, date(2026, 3, 11))


def test_the_terms_named_are_where_they_come_from(company, widget):
    group = CustomerGroup.objects.create(
        name="Slow Payers",
        parent=CustomerGroup.objects.get(parent=None),
        credit_days_rule="end_of_next_month",
    )
    customer = CustomerFactory(company=company, customer_group=group)
    with pytest.raises(ValidationError, match="terms of customer group Slow Payers make it due"):
        raise_with_due_date(customer, widget, date(2026, 5, 1))


def test_a_credit_controller_may_extend_the_due_date_and_a_note_says_so(on_30_days, widget):
    controller = UserFactory(username="carla", roles=["Credit Controller"])

    invoice = raise_with_due_date(on_30_days, widget, date(2026, 4, 19), user=controller)

    assert invoice.due_date == date(2026, 4, 19)
    assert invoice.due_date_extended_by == controller
    assert invoice.due_date_note.startswith(
        "Due date 2026-04-19 is 10 days later than the terms allow: the terms of customer "
        "Acme (CUST-00001) make it due on 2026-04-09. Extended by carla on "
    )


def test_a_draft_can_be_given_another_customer_date_and_lines(customer, widget, gadget):
    invoice = draft(customer, widget)
    partner = SalesPartner.objects.create(
        name="Agents", partner_type="agent", commission_rate=Decimal("4")
    )
    other = CustomerFactory(company=customer.company, default_sales_partner=partner)

    update_draft_invoice(
        invoice=invoice,
        customer=other,
        posting_date=date(2026, 3, 12),
        lines=[(gadget, "4", None), (widget, "1", "9")],
    )

    invoice.refresh_from_db()
    assert invoice.customer == other
    assert invoice.posting_date == invoice.due_date == date(2026, 3, 12)
    assert invoice.sales_partner == partner and invoice.commission_rate == Decimal("4")
    assert round(invoice.total, 2) == Decimal("19.00")
    assert [line.item for line in invoice.lines.all()] == [gadget, widget]


def test_an_edit_may_set_partner_and_commission_by_hand(customer, widget):
    invoice = draft(customer, widget)
    update_draft_invoice(
        invoice=invoice,
        customer=customer,
        posting_date=POSTING_DATE,
        lines=[(widget, "1", None)],
        sales_partner=None,
        commission_rate=Decimal("2.5"),
    )
    invoice.refresh_from_db()
    assert invoice.sales_partner is None and invoice.commission_rate == Decimal("2.5")


def test_a_refused_edit_changes_nothing(customer, widget, gadget):
    invoice = draft(customer, widget)
    with pytest.raises(ValidationError, match="the quantity must be more than 0"):
        update_draft_invoice(
            invoice=invoice, customer=customer, posting_date=POSTING_DATE, lines=[(gadget, 0, 1)]
        )
    invoice.refresh_from_db()
    assert [line.item for line in invoice.lines.all()] == [widget]
    assert round(invoice.total, 2) == Decimal("10.00")


def test_a_submitted_invoice_cannot_be_edited(customer, widget):
    invoice = submit_invoice(invoice=draft(customer, widget), user=None)
    with pytest.raises(ValidationError, match="is submitted; it cannot be edited"):
        update_draft_invoice(
            invoice=invoice, customer=customer, posting_date=POSTING_DATE, lines=[(widget, 1, 1)]
        )


def test_a_commission_above_100_percent_is_refused(customer, widget):
    with pytest.raises(ValidationError, match="commission_rate"):
        create_draft_invoice(
            company=customer.company,
            customer=customer,
            posting_date=POSTING_DATE,
            lines=[(widget, "1", None)],
            commission_rate=Decimal("101"),
        )


# --- where the price list came from, and who may type rates --------------------------------


def test_the_invoice_keeps_where_its_price_list_came_from(customer, widget):
    invoice = draft(customer, widget)
    assert invoice.price_list_source == "company Demo Trading"


@pytest.fixture
def order_clerk(db):
    """May raise invoices, but not type rates of its own."""
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="Order Clerk")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="invoicing",
            codename__in=["add_salesinvoice", "view_salesinvoice"],
        )
    )
    user = UserFactory(username="orders")
    user.groups.add(group)
    return user


def lines_by(user, customer, lines):
    return create_draft_invoice(
        company=customer.company,
        customer=customer,
        posting_date=POSTING_DATE,
        lines=lines,
        user=user,
    )


def test_without_the_permission_only_the_price_list_rate_is_accepted(customer, widget, order_clerk):
    invoice = lines_by(order_clerk, customer, [(widget, "2", None), (widget, "1", "10.00")])
    assert round(invoice.total, 2) == Decimal("30.00")
    with pytest.raises(ValidationError) as refused:
        lines_by(order_clerk, customer, [(widget, "1", "9.50")])
    assert refused.value.messages == [
        "Line 1 (WIDGET Widget): only users allowed to set rates may change the price list's 10.00."
    ]


def test_without_the_permission_an_unpriced_item_cannot_be_given_a_rate(
    customer, unpriced_item, order_clerk
):
    with pytest.raises(ValidationError, match="only users allowed to set rates may type one"):
        lines_by(order_clerk, customer, [(unpriced_item, "1", "4")])
    assert SalesInvoice.objects.count() == 0


def test_an_accounts_user_may_type_any_rate(customer, widget, unpriced_item):
    clerk = UserFactory(roles=["Accounts User"])
    invoice = lines_by(clerk, customer, [(widget, "1", "9.50"), (unpriced_item, "1", "4")])
    assert round(invoice.total, 2) == Decimal("13.50")
