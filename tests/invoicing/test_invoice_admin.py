"""Invoices in the Django admin: drafts can be edited, submitted invoices are fixed."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from invoicing.models import SalesInvoice
from tests.factories import UserFactory
from tests.invoicing.helpers import draft, submitted

pytestmark = pytest.mark.django_db


def change_url(invoice):
    return reverse("admin:invoicing_salesinvoice_change", args=[invoice.pk])


def line_form_data(invoice, quantity):
    line = invoice.lines.get()
    return {
        "posting_date": invoice.posting_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "sales_partner": "",
        "commission_rate": "0",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-0-id": line.pk,
        "lines-0-invoice": invoice.pk,
        "lines-0-item": line.item.pk,
        "lines-0-quantity": quantity,
        "lines-0-rate": "10",
        "sales_team-TOTAL_FORMS": "0",
        "sales_team-INITIAL_FORMS": "0",
    }


def test_editing_a_drafts_line_in_the_admin_updates_amount_and_total(
    admin_client, customer, widget
):
    invoice = draft(customer, widget)
    response = admin_client.post(change_url(invoice), line_form_data(invoice, "4"))
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert round(invoice.lines.get().amount, 2) == Decimal("40.00")
    assert round(invoice.total, 2) == Decimal("40.00")


def test_a_submitted_invoice_shows_its_lines_read_only(admin_client, customer, widget):
    invoice = submitted(customer, widget)
    page = admin_client.get(change_url(invoice)).content.decode()
    assert 'name="lines-0-quantity"' not in page
    assert "SINV-DT-2026-00001" in page


def test_the_admin_offers_no_delete_for_a_submitted_invoice(admin_client, customer, widget):
    invoice = submitted(customer, widget)
    url = reverse("admin:invoicing_salesinvoice_delete", args=[invoice.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert SalesInvoice.objects.filter(pk=invoice.pk).exists()


def test_the_admin_deletes_a_draft(admin_client, customer, widget):
    invoice = draft(customer, widget)
    url = reverse("admin:invoicing_salesinvoice_delete", args=[invoice.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not SalesInvoice.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            "Sales User",
            ["view_salesinvoice", "view_payment"],
            ["add_salesinvoice", "change_salesinvoice", "add_payment"],
        ),
        (
            "Accounts User",
            [
                "view_salesinvoice",
                "add_salesinvoice",
                "change_salesinvoice",
                "delete_salesinvoice",  # drafts only, as the service insists
                "add_payment",
                "change_payment",
            ],
            ["delete_payment"],
        ),
        ("Accounts Manager", ["delete_salesinvoice", "change_salesinvoiceline"], []),
        (
            "Credit Controller",
            ["view_salesinvoice", "change_salesinvoice"],
            ["add_salesinvoice", "delete_salesinvoice"],
        ),
    ],
)
def test_each_role_has_its_invoice_permissions(role, allowed, refused):
    assert Group.objects.filter(name=role).exists()
    user = UserFactory(roles=[role])
    assert all(user.has_perm(f"invoicing.{p}") for p in allowed), allowed
    assert not any(user.has_perm(f"invoicing.{p}") for p in refused), refused
