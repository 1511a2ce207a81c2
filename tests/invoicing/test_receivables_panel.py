"""The receivables panel on the customer page, and the CRM's panel registry it plugs into."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from crm import panels
from crm.models import CustomerGroup
from invoicing.apps import RECEIVABLES_PANEL
from invoicing.receivables import customer_receivables
from invoicing.services import cancel_invoice, cancel_payment
from tests.invoicing.helpers import invoice_on, paid

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = date(2026, 6, 30)


invoice, pay = invoice_on, paid


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    return TODAY


@pytest.fixture
def history(customer, widget, other_company):
    """Demo Trading: seven invoices (one cancelled, one paid in part, two overdue), six
    payments (one cancelled, one leaving an advance of 40). Other Works: one invoice."""
    days = [TODAY - timedelta(days=n) for n in (70, 60, 50, 40, 20, 10, 0)]
    invoices = [
        invoice(customer, str(100 * (n + 1)), day, item=widget) for n, day in enumerate(days)
    ]
    cancel_invoice(invoice=invoices[1], user=None)  # 200, cancelled
    pay(customer, "100", days[0], (invoices[0], "100"))  # pays the oldest in full
    pay(customer, "50", days[2], (invoices[2], "50"))  # 300 -> 250 left, overdue
    cancel_payment(payment=pay(customer, "400", days[3], (invoices[3], "400")), user=None)
    pay(customer, "40", days[4])  # an advance
    pay(customer, "10", days[5], (invoices[4], "10"))
    pay(customer, "20", days[6], (invoices[5], "20"))
    invoice(customer, "900", TODAY - timedelta(days=5), item=widget, company=other_company)
    return invoices


def test_the_customers_position_in_each_company(customer, company, other_company, history):
    demo, other = customer_receivables(customer=customer, today=TODAY)
    assert (demo.company, other.company) == (company, other_company)
    # invoices 100 (paid) + 300 + 400 + 500 + 600 + 700 = 2,600; payments 100 + 50 + 40 + 10 + 20
    assert demo.outstanding == D("2380.00")
    assert demo.overdue == D("250.00") + D("400.00") + D("490.00") + D("580.00")  # due < today
    assert demo.advances == D("40.00")
    assert [inv.total for inv in demo.invoices] == [D(n) for n in (700, 600, 500, 400, 300)]
    assert [p.amount for p in demo.payments] == [D(n) for n in (20, 10, 40, 400, 50)]
    assert (other.outstanding, other.overdue, other.advances) == (D("900.00"), D("900.00"), 0)
    assert [inv.total for inv in other.invoices] == [D("900.00")]
    assert other.payments == []


def test_the_credit_limit_its_source_and_what_is_left(customer, company, history):
    demo, other = customer_receivables(customer=customer, today=TODAY)
    assert demo.credit_limit is None and demo.credit_left is None and demo.over_limit_by is None
    CustomerGroup.objects.filter(pk=customer.customer_group_id).update(credit_limit=3000)
    demo, other = customer_receivables(customer=customer, today=TODAY)
    assert (demo.credit_limit, str(demo.credit_limit_source)) == (3000, "customer group Commercial")
    assert demo.credit_left == D("620.00") and demo.over_limit_by is None
    customer.credit_limit = D("2000")
    customer.save()
    demo, other = customer_receivables(customer=customer, today=TODAY)
    assert demo.credit_limit_source.kind == "customer"
    assert demo.over_limit_by == D("380.00")
    assert other.over_limit_by is None  # 900 of 2,000


def test_the_position_is_six_queries_however_many_companies_and_documents(
    customer, history, django_assert_num_queries
):
    with django_assert_num_queries(6):
        customer_receivables(customer=customer, today=TODAY)


# --- on the customer page -----------------------------------------------------------------


def detail(client, customer):
    return client.get(reverse("crm:customer_detail", args=[customer.pk]))


def panel_html(response) -> str:
    html = response.content.decode()
    match = re.search(
        r'<section class="card shadow-sm mb-3" id="receivables">.*?</section>', html, re.S
    )
    return match.group(0) if match else ""


def test_the_panel_shows_each_company_with_figures_and_latest_documents(
    role_client, customer, company, history, today
):
    customer.credit_limit = D("2000")
    customer.save()
    panel = panel_html(detail(role_client("Sales User"), customer))
    assert 'data-company="DT"' in panel and 'data-company="OW"' in panel
    assert "2,380.00" in panel  # outstanding
    assert "set on this customer" in panel
    assert re.search(r'class="[^"]*text-danger[^"]*" data-credit="over">over by', panel)
    assert "380.00" in panel
    assert "1,720.00" in panel  # overdue
    assert panel.count("<tr>") == (1 + 5) + (1 + 5) + (1 + 1)  # headers and rows, OW last
    assert 'data-status="Overdue"' in panel and 'data-status="Partly Paid"' not in panel
    assert "Cancelled" in panel  # the cancelled payment
    assert history[6].number in panel and history[1].number not in panel  # the latest five
    statement = reverse("invoicing:statement", args=[customer.pk])
    assert f'href="{statement}?company={company.pk}"' in panel
    assert f'href="{reverse("invoicing:invoice_detail", args=[history[6].pk])}"' in panel


def test_credit_left_is_shown_when_under_the_limit(role_client, customer, history, today):
    customer.credit_limit = D("5000")
    customer.save()
    panel = panel_html(detail(role_client("Sales User"), customer))
    assert 'data-credit="left">2,620.00' in panel


def test_the_links_follow_the_users_permissions(role_client, customer, company, history, today):
    create_invoice = f"{reverse('invoicing:invoice_create')}?customer={customer.pk}&amp;company="
    receive = f"{reverse('invoicing:payment_create')}?customer={customer.pk}&amp;company="
    all_invoices = f"{reverse('invoicing:invoice_list')}?customer={customer.pk}"
    sales = panel_html(detail(role_client("Sales User"), customer))
    assert "Statement" in sales and all_invoices in sales
    assert create_invoice not in sales and receive not in sales
    accounts = panel_html(detail(role_client("Accounts User"), customer))
    assert f"{create_invoice}{company.pk}" in accounts
    assert f"{receive}{company.pk}" in accounts


def test_the_panel_is_left_out_for_users_who_may_not_see_invoices(
    client, django_user_model, customer, history
):
    user = django_user_model.objects.create_user("crm-only")
    user.user_permissions.add(Permission.objects.get(codename="view_customer"))
    client.force_login(user)
    response = detail(client, customer)
    assert response.status_code == 200
    assert panel_html(response) == ""


def test_the_customer_page_costs_the_same_queries_with_the_panel(
    role_client, customer, widget, other_company, today, django_assert_max_num_queries
):
    client = role_client("Accounts User")
    with django_assert_max_num_queries(40) as few:
        detail(client, customer)
    invoice(customer, "900", TODAY, item=widget, company=other_company)
    for n in range(8):
        inv = invoice(customer, "10", TODAY - timedelta(days=n), item=widget)
        pay(customer, "15", TODAY, (inv, "10"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = detail(client, customer)
    assert panel_html(response).count("<tr>") == (1 + 5) + (1 + 5) + (1 + 1)


# --- the registry -------------------------------------------------------------------------


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(panels, "_customer_panels", dict(panels._customer_panels))


def test_panels_render_in_order_and_may_leave_themselves_out(
    rf, admin_user, customer, registry, settings, tmp_path
):
    (tmp_path / "first.html").write_text("first {{ customer.name }} {{ word }}")
    (tmp_path / "hidden.html").write_text("hidden")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    panels._customer_panels.clear()
    panels.register_customer_panel("hidden.html", lambda request, customer: None, order=1)
    panels.register_customer_panel("first.html", lambda request, customer: {"word": "hi"}, order=5)
    request = rf.get("/")
    request.user = admin_user
    assert panels.customer_panels(request, customer) == ["first Acme hi"]


def test_the_receivables_panel_is_registered_when_the_app_is_ready():
    assert RECEIVABLES_PANEL in panels._customer_panels
