"""The sales invoice pages in the test client: raise a draft with the customer's defaults
filled in, edit it, submit it (over the credit limit too), cancel or delete it."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import CustomerGroup, SalesPartner, SalesPerson, SalesTeamMember
from invoicing.models import SalesInvoice, SalesInvoiceLine
from invoicing.services import Allocation, create_draft_invoice, submit_invoice
from tests.factories import CustomerFactory, CustomerGroupFactory, PaymentFactory
from tests.invoicing.helpers import POSTING_DATE, draft, submitted

pytestmark = pytest.mark.django_db

NEW = reverse("invoicing:invoice_create")
DEFAULTS = reverse("invoicing:invoice_customer_defaults")
ITEM_RATE = reverse("invoicing:invoice_item_rate")
SEARCH = reverse("invoicing:invoice_customer_search")


@pytest.fixture
def retail(price_list):
    """A customer group with the price list and 30 days' credit."""
    return CustomerGroupFactory(
        name="Retail",
        parent=CustomerGroup.objects.get(name="All Customer Groups"),
        default_price_list=price_list,
        credit_days_rule="fixed_days",
        credit_days=30,
    )


@pytest.fixture
def partner(db):
    return SalesPartner.objects.create(
        name="Northern Agents", partner_type="agent", commission_rate=Decimal("5")
    )


@pytest.fixture
def shop(company, retail, partner):
    """A Retail customer with a sales partner and a sales team."""
    shop = CustomerFactory(
        name="Corner Shop", company=company, customer_group=retail, default_sales_partner=partner
    )
    root = SalesPerson.objects.get(name="Sales Team")
    ann = SalesPerson.objects.create(name="Ann", parent=root)
    SalesTeamMember.objects.create(customer=shop, sales_person=ann, contribution=100)
    return shop


@pytest.fixture
def clerk(role_client):
    return role_client("Accounts User")


def form_data(party, *lines, **fields):
    """The form as a browser posts it once the defaults are in: `lines` are (item, qty, rate);
    `fields` override or add fields."""
    company = fields.pop("company", party.company)
    posting_date = fields.pop("posting_date", POSTING_DATE)
    data = {
        "customer_search": str(party),
        "customer": party.pk,
        "company": company.pk,
        "posting_date": posting_date.isoformat(),
        "due_date": "",
        "sales_partner": "",
        "commission_rate": "",
        "filled_for": f"{party.pk}:{company.pk}:{posting_date.isoformat()}",
        "lines-TOTAL_FORMS": len(lines),
        "lines-INITIAL_FORMS": 0,
        "lines-MIN_NUM_FORMS": 0,
        "lines-MAX_NUM_FORMS": 1000,
    }
    for index, (item, quantity, rate) in enumerate(lines):
        data[f"lines-{index}-item"] = item.pk if item else ""
        data[f"lines-{index}-quantity"] = quantity
        data[f"lines-{index}-rate"] = rate
    data.update(fields)
    return data


def errors_of(response):
    """Every error shown on the form page, by field or line: {"due_date": [...], ...}."""
    forms = response.context["forms"]
    found = {name: list(errors) for name, errors in forms.header.errors.items()}
    for index, line in enumerate(forms.lines.forms):
        for name, errors in line.errors.items():
            found[f"line {index} {name}"] = list(errors)
    if forms.lines.non_form_errors():
        found["lines"] = list(forms.lines.non_form_errors())
    return found


def nothing_written():
    return not SalesInvoice.objects.exists() and not SalesInvoiceLine.objects.exists()


# --- the new invoice page and its helpers ---------------------------------------------------


def test_a_new_invoice_for_a_customer_starts_with_its_defaults(clerk, shop):
    response = clerk.get(f"{NEW}?customer={shop.pk}")

    assert response.status_code == 200
    header = response.context["form"]
    today = timezone.localdate()
    assert header["posting_date"].value() == today
    assert header["company"].value() == shop.company.pk
    assert header["due_date"].value() == (today + timedelta(days=30)).isoformat()
    assert header["sales_partner"].value() == shop.default_sales_partner.pk
    assert header["commission_rate"].value() == "5"
    html = response.content.decode()
    assert 'Standard Selling <span class="text-body-secondary">(from customer group Retail)' in html
    assert "30 days after the invoice date" in html
    assert "Ann" in html


def test_a_new_invoice_may_start_in_another_company(clerk, shop, other_company):
    response = clerk.get(NEW, {"customer": shop.pk, "company": other_company.pk})
    assert response.context["form"]["company"].value() == other_company.pk
    assert response.context["defaults"].company == other_company
    assert "Credit in Other Works" in response.content.decode()


def test_choosing_a_customer_fills_the_header_and_the_defaults_panel(clerk, shop, partner):
    data = form_data(shop, filled_for="", sales_partner="", due_date="")
    data["company"] = ""
    response = clerk.get(DEFAULTS, data)

    html = response.content.decode()
    assert "from customer group Retail" in html
    assert 'id="default-due-date">2026-04-09<' in html
    assert 'hx-swap-oob="true"' in html
    assert 'name="due_date" value="2026-04-09"' in html
    assert f'<option value="{partner.pk}" selected>' in html
    assert f'<option value="{shop.company.pk}" selected>' in html
    assert f'value="{shop.pk}:{shop.company.pk}:2026-03-10"' in html  # filled_for


def test_changing_the_posting_date_moves_the_due_date_but_keeps_the_partner(clerk, shop):
    data = form_data(shop, posting_date=date(2026, 5, 1), sales_partner="", due_date="2026-04-09")
    data["filled_for"] = f"{shop.pk}:{shop.company.pk}:2026-03-10"

    html = clerk.get(DEFAULTS, data).content.decode()

    assert 'name="due_date" value="2026-05-31"' in html
    assert '<option value="" selected>No sales partner</option>' in html


def test_the_credit_panel_warns_when_this_invoice_would_cross_the_limit(clerk, shop, widget):
    shop.credit_limit = Decimal("25")
    shop.save()
    submitted(shop, widget, quantity="2")  # 20.00 outstanding, 5.00 left

    within = clerk.get(DEFAULTS, form_data(shop, (widget, "0.5", "10"))).content.decode()
    over = clerk.get(DEFAULTS, form_data(shop, (widget, "1", "10"))).content.decode()

    assert 'id="default-outstanding">20.00<' in within
    assert 'id="default-credit-left">5.00<' in within
    assert 'id="credit-warning" class="alert alert-warning small py-2 mt-2 mb-0 d-none"' in within
    assert 'id="credit-warning" class="alert alert-warning small py-2 mt-2 mb-0"' in over


def test_choosing_an_item_fills_its_rate_from_the_price_list(clerk, shop, widget):
    data = form_data(shop, (widget, "1", ""), line="lines-0")
    html = clerk.get(ITEM_RATE, data).content.decode()
    assert 'name="lines-0-rate" value="10"' in html
    assert "data-price-list-rate" in html


def test_an_item_without_a_price_gets_a_message_and_an_empty_rate(clerk, shop, unpriced_item):
    data = form_data(shop, (unpriced_item, "1", "4"), line="lines-0")
    html = clerk.get(ITEM_RATE, data).content.decode()
    assert "No price in Standard Selling on 2026-03-10; type a rate." in html
    assert 'name="lines-0-rate"' in html and 'name="lines-0-rate" value=' not in html


def test_the_price_valid_on_the_posting_date_is_used(clerk, shop, widget, price_list):
    price_list.prices.filter(item=widget).update(valid_upto=date(2026, 3, 31))
    price_list.prices.create(item=widget, rate=Decimal("12"), valid_from=date(2026, 4, 1))
    data = form_data(shop, (widget, "1", ""), posting_date=date(2026, 4, 2), line="lines-0")
    assert 'value="12"' in clerk.get(ITEM_RATE, data).content.decode()


def test_the_customer_search_suggests_at_most_twenty_by_name_or_code(clerk, company):
    for number in range(25):
        CustomerFactory(name=f"Baker {number:02d}", company=company)
    other = CustomerFactory(name="Zed", company=company)

    by_name = clerk.get(SEARCH, {"customer_search": "baker"})
    by_code = clerk.get(SEARCH, {"customer_search": other.code})

    assert len(by_name.context["customers"]) == 20
    assert [c.name for c in by_code.context["customers"]] == ["Zed"]
    assert f'data-customer-choice="{other.pk}"' in by_code.content.decode()


def test_the_search_costs_the_same_queries_for_many_customers(
    clerk, company, django_assert_max_num_queries
):
    for number in range(30):
        CustomerFactory(name=f"Baker {number:02d}", company=company)
    with django_assert_max_num_queries(5):
        clerk.get(SEARCH, {"customer_search": "baker"})


# --- saving -------------------------------------------------------------------------------


def test_saving_creates_the_draft_through_the_service(clerk, shop, widget, gadget, partner):
    data = form_data(
        shop,
        (widget, "3", ""),  # priced from the list
        (gadget, "2", "4.75"),  # typed
        (None, "1", ""),  # a row left empty
        sales_partner=partner.pk,
        commission_rate="5",
    )

    response = clerk.post(NEW, data)

    invoice = SalesInvoice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("invoicing:invoice_detail", args=[invoice.pk])
    lines = [(line.item.code, round(line.rate, 2)) for line in invoice.lines.all()]
    assert lines == [("WIDGET", Decimal("10.00")), ("GADGET", Decimal("4.75"))]
    assert round(invoice.total, 2) == Decimal("39.50")
    assert invoice.due_date == date(2026, 4, 9)
    assert invoice.sales_partner == partner
    assert [m.sales_person.name for m in invoice.sales_team.all()] == ["Ann"]


def test_a_customer_typed_without_javascript_gets_its_defaults_before_saving(
    clerk, shop, widget, partner
):
    data = form_data(shop, (widget, "1", ""), customer="", filled_for="")
    data["customer_search"] = shop.code

    first = clerk.post(NEW, data)

    assert first.status_code == 200 and nothing_written()
    header = first.context["form"]
    assert header["customer"].value() == str(shop.pk)
    assert header["due_date"].value() == "2026-04-09"
    assert header["sales_partner"].value() == str(partner.pk)
    assert first.context["formset"].forms[0]["rate"].value() == "10"
    assert "Filled in the defaults for Corner Shop" in first.content.decode()

    second = clerk.post(NEW, header.data.dict())
    assert second.status_code == 302
    assert SalesInvoice.objects.get().due_date == date(2026, 4, 9)


def test_add_line_without_javascript_shows_one_more_row(clerk, shop, widget):
    data = form_data(shop, (widget, "1", ""), add_line="1")
    response = clerk.post(NEW, data)
    assert len(response.context["formset"].forms) == 2
    assert not errors_of(response) and nothing_written()


def test_a_removed_line_is_not_saved(clerk, shop, widget, gadget):
    data = form_data(shop, (widget, "1", ""), (gadget, "1", ""))
    data["lines-1-DELETE"] = "on"
    clerk.post(NEW, data)
    assert [line.item for line in SalesInvoice.objects.get().lines.all()] == [widget]


@pytest.mark.parametrize(
    ("lines", "fields", "where", "message"),
    [
        ([], {}, "lines", "An invoice needs at least one line"),
        ([("widget", "", "")], {}, "line 0 quantity", "Enter a quantity."),
        ([("widget", "-2", "")], {}, "line 0 quantity", "The quantity must be more than 0."),
        ([("widget", "0", "")], {}, "line 0 quantity", "The quantity must be more than 0."),
        ([("widget", "1", "abc")], {}, "line 0 rate", "Enter the rate as a number"),
        ([("widget", "1", "-1")], {}, "line 0 rate", "The rate cannot be negative."),
        ([("widget", "1", "NaN")], {}, "line 0 rate", "Enter the rate as a number"),
        ([(None, "1", "5")], {}, "line 0 item", "Choose an item for this line."),
        ([("widget", "1e12", "")], {}, "line 0 quantity", "The quantity is too large"),
        ([("widget", "99999999999", "99999999999")], {}, "line 0 __all__", "too large"),
        (
            [("widget", "999999999", "9999999")] * 2,
            {},
            "lines",
            "an invoice must stay below",
        ),
        ([("doodad", "1", "")], {}, "line 0 rate", "no price in Standard Selling on 2026-03-10"),
        ([("widget", "1", "")], {"due_date": "2026-03-09"}, "due_date", "is before the posting"),
        ([("widget", "1", "")], {"due_date": "2026-04-20"}, "due_date", "later than the terms"),
        ([("widget", "1", "")], {"commission_rate": "101"}, "commission_rate", "0 to 100"),
        ([("widget", "1", "")], {"posting_date": "31/02/2026"}, "posting_date", "valid date"),
    ],
)
def test_bad_input_is_shown_where_it_belongs_and_nothing_is_written(
    clerk, shop, widget, unpriced_item, lines, fields, where, message
):
    items = {"widget": widget, "doodad": unpriced_item, None: None}
    data = form_data(shop, *[(items[item], qty, rate) for item, qty, rate in lines])
    data.update(fields)

    response = clerk.post(NEW, data)

    assert response.status_code == 200
    errors = errors_of(response)
    assert any(message in error for error in errors.get(where, [])), errors
    assert nothing_written()


def test_a_disabled_customer_is_refused_next_to_the_customer(clerk, shop, widget):
    shop.disabled = True
    shop.save()
    response = clerk.post(NEW, form_data(shop, (widget, "1", "")))
    assert errors_of(response)["customer_search"] == [f"{shop} is disabled and cannot be invoiced."]
    assert nothing_written()


def test_an_ambiguous_customer_search_names_the_candidates(clerk, company, widget):
    first = CustomerFactory(name="Twin Traders", company=company)
    second = CustomerFactory(name="Twin Tools", company=company)
    data = form_data(first, (widget, "1", ""), customer="", customer_search="twin")
    errors = errors_of(clerk.post(NEW, data))
    assert errors["customer_search"] == [
        f"Several customers match “twin” ({second.code}, {first.code}); type the code of one."
    ]


def test_a_service_refusal_without_a_field_shows_on_top(clerk, shop, widget, price_list):
    price_list.currency = "USD"
    price_list.save()
    response = clerk.post(NEW, form_data(shop, (widget, "1", "3")))
    assert "is in USD, but Demo Trading invoices in EUR" in errors_of(response)["__all__"][0]
    assert nothing_written()


def test_a_credit_controller_may_extend_the_due_date_and_it_is_noted(role_client, shop, widget):
    client = role_client("Accounts User", "Credit Controller")
    response = client.post(NEW, form_data(shop, (widget, "1", ""), due_date="2026-04-20"))

    invoice = SalesInvoice.objects.get()
    assert invoice.due_date == date(2026, 4, 20)
    detail = client.get(response["Location"]).content.decode()
    assert "Due date extended" in detail
    assert "Due date 2026-04-20 is 11 days later than the terms allow" in detail


# --- editing ------------------------------------------------------------------------------


def test_editing_a_draft_changes_its_lines_and_dates(clerk, shop, widget, gadget):
    invoice = draft(shop, widget, quantity="1")
    url = reverse("invoicing:invoice_update", args=[invoice.pk])
    page = clerk.get(url)
    assert page.context["form"]["due_date"].value() == date(2026, 4, 9)
    assert page.context["formset"].forms[0]["rate"].value() == "10"

    data = form_data(shop, (gadget, "4", ""), due_date="2026-03-20", invoice=invoice.pk)
    response = clerk.post(url, data)

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.due_date == date(2026, 3, 20)
    assert [(line.item, round(line.amount, 2)) for line in invoice.lines.all()] == [
        (gadget, Decimal("10.00"))
    ]


def test_a_draft_keeps_its_company(clerk, shop, widget, other_company):
    invoice = draft(shop, widget)
    url = reverse("invoicing:invoice_update", args=[invoice.pk])
    data = form_data(shop, (widget, "2", ""))
    data["company"] = other_company.pk  # not sent by a browser: the field is disabled
    clerk.post(url, data)
    invoice.refresh_from_db()
    assert invoice.company == shop.company
    assert invoice.lines.get().quantity == 2


def test_a_credit_controller_edits_a_draft_with_a_later_due_date(role_client, shop, widget):
    invoice = draft(shop, widget)
    url = reverse("invoicing:invoice_update", args=[invoice.pk])
    late = form_data(shop, (widget, "1", ""), due_date="2026-05-01")

    refused = role_client("Accounts User").post(url, late)
    assert "A Credit Controller can extend it." in errors_of(refused)["due_date"][0]
    accepted = role_client("Credit Controller").post(url, late)

    assert accepted.status_code == 302
    invoice.refresh_from_db()
    assert invoice.due_date == date(2026, 5, 1) and invoice.due_date_extended_by is not None


def test_a_submitted_invoice_cannot_be_edited(clerk, shop, widget):
    invoice = submitted(shop, widget)
    response = clerk.get(reverse("invoicing:invoice_update", args=[invoice.pk]), follow=True)
    assert "only a draft can be edited" in response.content.decode()


# --- the invoice page ---------------------------------------------------------------------


def test_the_invoice_page_shows_header_lines_team_and_buttons(clerk, shop, widget, partner):
    invoice = draft(shop, widget, quantity="3")
    html = clerk.get(reverse("invoicing:invoice_detail", args=[invoice.pk])).content.decode()

    assert f"Draft invoice {invoice.pk}" in html
    assert 'data-status="Draft"' in html
    assert "Standard Selling" in html and "Northern Agents" in html
    assert '5 % · <span class="amount">1.50</span>' in html  # commission on 30.00
    assert "Ann" in html
    for button in ("Edit", "Submit", "Delete"):
        assert f">{button}</a>" in html
    assert "Cancel invoice" not in html


def test_a_submitted_invoice_shows_its_journal_and_offers_payment_and_cancel(clerk, shop, widget):
    invoice = submitted(shop, widget)
    html = clerk.get(reverse("invoicing:invoice_detail", args=[invoice.pk])).content.decode()

    assert invoice.number in html and f'data-status="{invoice.status}"' in html
    assert 'id="journal"' in html and "Chart of accounts" in html
    assert ">Cancel invoice</a>" in html
    pay = reverse("invoicing:payment_create")
    expected = f"{pay}?customer={shop.pk}&amp;company={shop.company_id}&amp;invoice={invoice.pk}"
    assert expected in html
    assert ">Edit</a>" not in html


def test_payments_against_an_invoice_are_listed_on_it(clerk, shop, widget):

    invoice = submitted(shop, widget, quantity="3")
    payment = PaymentFactory(
        customer=shop, amount=Decimal("12"), allocations=[Allocation(invoice, Decimal("12"))]
    )

    html = clerk.get(reverse("invoicing:invoice_detail", args=[invoice.pk])).content.decode()

    assert payment.number in html
    assert reverse("invoicing:payment_detail", args=[payment.pk]) in html
    assert 'id="invoice-outstanding">18.00<' in html
    invoice.refresh_from_db()
    assert invoice.status in ("Partly Paid", "Overdue")
    assert f'data-status="{invoice.status}"' in html
    assert ">Cancel invoice</a>" not in html  # paid in part


def test_the_invoice_page_costs_the_same_queries_for_many_lines(
    clerk, shop, widget, gadget, django_assert_max_num_queries
):
    few = draft(shop, widget)
    many = create_draft_invoice(
        company=shop.company,
        customer=shop,
        posting_date=POSTING_DATE,
        lines=[(widget if n % 2 else gadget, 1, None) for n in range(30)],
    )
    submit_invoice(invoice=many, user=None)
    with django_assert_max_num_queries(12) as few_queries:
        clerk.get(reverse("invoicing:invoice_detail", args=[few.pk]))
    with django_assert_max_num_queries(len(few_queries.captured_queries) + 2):
        clerk.get(reverse("invoicing:invoice_detail", args=[many.pk]))


# --- submit, cancel, delete ---------------------------------------------------------------


def test_submitting_from_the_confirm_page(clerk, shop, widget):
    invoice = draft(shop, widget, quantity="2")
    url = reverse("invoicing:invoice_submit", args=[invoice.pk])

    page = clerk.get(url).content.decode()
    assert "Submit invoice" in page and "20.00" in page

    response = clerk.post(url, follow=True)
    invoice.refresh_from_db()
    assert invoice.number == "SINV-DT-2026-00001"
    assert f"Invoice {invoice.number} submitted." in response.content.decode()


@pytest.fixture
def over_limit(shop, widget):
    """A draft of 30.00 for a customer with 20.00 of its 40.00 limit used."""
    shop.credit_limit = Decimal("40")
    shop.save()
    submitted(shop, widget, quantity="2")
    return draft(shop, widget, quantity="3")


def test_over_the_credit_limit_an_accounts_user_is_refused(clerk, over_limit):
    url = reverse("invoicing:invoice_submit", args=[over_limit.pk])
    page = clerk.get(url).content.decode()
    assert "takes the outstanding past the credit limit" in page
    assert "Submit over the credit limit" not in page

    response = clerk.post(url, {"override_credit_limit": "on"})

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Credit limit crossed for Corner Shop (CUST-00001): outstanding 20.00 + this invoice "
        "30.00 &gt; limit 40.00. A Credit Controller can submit it."
    ) in html
    assert "Submit over the credit limit" not in html
    over_limit.refresh_from_db()
    assert over_limit.is_draft


def test_a_credit_controller_submits_over_the_limit_only_when_ticking_the_box(
    role_client, over_limit
):
    client = role_client("Credit Controller")
    url = reverse("invoicing:invoice_submit", args=[over_limit.pk])

    refused = client.post(url).content.decode()
    assert "Credit limit crossed" in refused and "Submit over the credit limit" in refused
    over_limit.refresh_from_db()
    assert over_limit.is_draft

    response = client.post(url, {"override_credit_limit": "on"}, follow=True)

    over_limit.refresh_from_db()
    assert over_limit.docstatus == "submitted"
    html = response.content.decode()
    assert "Submitted over the credit limit" in html
    assert "outstanding 20.00 + this invoice 30.00 &gt; limit 40.00" in html


def test_cancelling_a_submitted_invoice(clerk, shop, widget):
    invoice = submitted(shop, widget)
    url = reverse("invoicing:invoice_cancel", args=[invoice.pk])
    assert "Cancel invoice" in clerk.get(url).content.decode()

    clerk.post(url)

    invoice.refresh_from_db()
    assert invoice.docstatus == "cancelled"
    html = clerk.get(reverse("invoicing:invoice_detail", args=[invoice.pk])).content.decode()
    assert 'data-status="Cancelled"' in html and "Reversed by" in html


def test_a_draft_cannot_be_cancelled(clerk, shop, widget):
    invoice = draft(shop, widget)
    url = reverse("invoicing:invoice_cancel", args=[invoice.pk])
    assert "only a submitted invoice can be cancelled" in clerk.get(url).content.decode()
    clerk.post(url)
    invoice.refresh_from_db()
    assert invoice.is_draft


def test_deleting_a_draft(role_client, shop, widget):
    invoice = draft(shop, widget)
    client = role_client("Accounts Manager")
    response = client.post(reverse("invoicing:invoice_delete", args=[invoice.pk]))
    assert response["Location"] == reverse("invoicing:invoice_list")
    assert nothing_written()


def test_a_submitted_invoice_cannot_be_deleted(role_client, shop, widget):
    invoice = submitted(shop, widget)
    client = role_client("Accounts Manager")
    page = client.post(reverse("invoicing:invoice_delete", args=[invoice.pk]))
    assert "only a draft can be deleted" in page.content.decode()
    assert SalesInvoice.objects.filter(pk=invoice.pk).exists()


# --- who may do what ----------------------------------------------------------------------


def test_a_sales_user_reads_invoices_but_changes_nothing(role_client, shop, widget):
    invoice = draft(shop, widget)
    client = role_client("Sales User")
    assert client.get(reverse("invoicing:invoice_list")).status_code == 200
    detail = client.get(reverse("invoicing:invoice_detail", args=[invoice.pk]))
    assert detail.status_code == 200
    assert ">Edit</a>" not in detail.content.decode()
    for name in ("invoice_update", "invoice_submit", "invoice_cancel", "invoice_delete"):
        assert client.post(reverse(f"invoicing:{name}", args=[invoice.pk])).status_code == 403
    assert client.post(NEW, form_data(shop, (widget, "1", ""))).status_code == 403
    for url in (SEARCH, DEFAULTS, ITEM_RATE):
        assert client.get(url).status_code == 403
    invoice.refresh_from_db()
    assert invoice.is_draft


def test_a_credit_controller_edits_and_submits_but_does_not_create(role_client, shop, widget):
    invoice = draft(shop, widget)
    client = role_client("Credit Controller")
    assert client.get(NEW).status_code == 403
    assert client.get(reverse("invoicing:invoice_update", args=[invoice.pk])).status_code == 200
    assert client.get(DEFAULTS).status_code == 200
    assert client.get(reverse("invoicing:invoice_delete", args=[invoice.pk])).status_code == 403


def test_the_helpers_need_a_login(client):
    for url in (SEARCH, DEFAULTS, ITEM_RATE):
        assert client.get(url)["Location"].startswith("/login/")


def test_writes_are_post_only(clerk, shop, widget):
    invoice = draft(shop, widget)
    for name in ("invoice_submit", "invoice_delete"):
        clerk.get(reverse(f"invoicing:{name}", args=[invoice.pk]))
    assert SalesInvoice.objects.get().is_draft


def test_the_form_and_its_helpers_cost_the_same_queries_for_many_lines(
    clerk, shop, widget, gadget, django_assert_max_num_queries
):
    def costs(lines):
        invoice = create_draft_invoice(
            company=shop.company, customer=shop, posting_date=POSTING_DATE, lines=lines
        )
        data = form_data(shop, *[(item, "1", "") for item, _, _ in lines], invoice=invoice.pk)
        data["line"] = "lines-0"
        counts = []
        for url, method, payload in [
            (reverse("invoicing:invoice_update", args=[invoice.pk]), "get", {}),
            (DEFAULTS, "get", data),
            (ITEM_RATE, "get", data),
        ]:
            with CaptureQueriesContext(connection) as queries:
                assert getattr(clerk, method)(url, payload).status_code == 200
            counts.append(len(queries.captured_queries))
        return counts

    one = costs([(widget, 1, None)])
    many = costs([(widget if n % 2 else gadget, 1, None) for n in range(25)])
    assert many == one, (one, many)


def test_rates_are_read_only_for_users_who_may_not_set_them(role_client, shop, widget):
    invoice = draft(shop, widget)
    url = reverse("invoicing:invoice_update", args=[invoice.pk])

    controller = role_client("Credit Controller").get(url).content.decode()
    accounts = role_client("Accounts User").get(url).content.decode()

    rate_input = re.compile(r'<input[^>]*name="lines-0-rate"[^>]*>')
    assert "readonly" in rate_input.search(controller).group()
    assert "readonly" not in rate_input.search(accounts).group()


def test_without_the_rate_right_a_missing_price_says_whom_to_ask(
    role_client, shop, unpriced_item, widget
):
    invoice = draft(shop, widget)
    data = form_data(shop, (unpriced_item, "1", ""), line="lines-0", invoice=invoice.pk)
    html = role_client("Credit Controller").get(ITEM_RATE, data).content.decode()
    assert "No price in Standard Selling on 2026-03-10; ask someone who may set rates" in html
