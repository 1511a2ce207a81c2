"""Payment pages: list, receive (with its customer search), receipt, cancel, allocate advance."""

from datetime import date
from decimal import Decimal

import factory
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.models import Account, GLEntry
from invoicing.models import Payment, PaymentAllocation
from invoicing.services import Allocation, cancel_invoice, receive_payment
from tests.factories import CustomerFactory, PaymentFactory
from tests.invoicing.helpers import submitted

pytestmark = pytest.mark.django_db

LIST = reverse("invoicing:payment_list")
NEW = reverse("invoicing:payment_create")
PAID_ON = "2026-03-20"


def detail_url(payment):
    return reverse("invoicing:payment_detail", args=[payment.pk])


def cancel_url(payment):
    return reverse("invoicing:payment_cancel", args=[payment.pk])


def allocate_url(payment):
    return reverse("invoicing:payment_allocate", args=[payment.pk])


def account(company, name):
    return Account.objects.get(company=company, name=company.suffixed(name))


def payment_data(company, amount="100.00", allocations=None, **fields):
    data = {
        "company": company.pk,
        "posting_date": PAID_ON,
        "amount": amount,
        "mode": "bank_transfer",
        "paid_to": account(company, "Bank").pk,
        "reference": "",
        "action": "save",
    }
    for invoice, value in (allocations or {}).items():
        data[f"allocate_{invoice.pk}"] = value
    data.update(fields)
    return data


def row_counts():
    return {
        model.__name__: model.objects.count() for model in (Payment, PaymentAllocation, GLEntry)
    }


def outstanding(invoice):
    invoice.refresh_from_db()
    return round(invoice.outstanding, 2)


@pytest.fixture
def clerk(role_client):
    return role_client("Accounts User")


@pytest.fixture
def invoice(customer, widget):
    """SINV-DT-2026-00001: 10 widgets, 100.00, due on its posting date 2026-03-10."""
    return submitted(customer, widget, "10")


@pytest.fixture
def older_invoice(customer, widget):
    """30.00, due 2026-03-01: before `invoice`, so settled first."""
    return submitted(customer, widget, "3", posting_date=date(2026, 3, 1))


def new_url(**params):
    return NEW + "?" + "&".join(f"{key}={value}" for key, value in params.items())


# --- permissions ----------------------------------------------------------------------------


def test_every_payment_page_needs_login(client, customer):
    payment = PaymentFactory(customer=customer)
    for url in (LIST, NEW, detail_url(payment), cancel_url(payment), allocate_url(payment)):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_a_sales_user_reads_payments_but_cannot_receive_cancel_or_allocate(role_client, invoice):
    payment = PaymentFactory(customer=invoice.customer, amount=Decimal("40.00"))
    client = role_client("Sales User")
    assert client.get(LIST).status_code == 200
    page = client.get(detail_url(payment))
    assert page.status_code == 200
    assert b"Cancel payment" not in page.content and b"Allocate advance" not in page.content
    before = row_counts()
    assert client.get(new_url(customer=invoice.customer_id)).status_code == 403
    assert client.post(NEW + f"?customer={invoice.customer_id}", {}).status_code == 403
    for url in (cancel_url(payment), allocate_url(payment)):
        assert client.get(url).status_code == 403
        assert client.post(url, {f"allocate_{invoice.pk}": "10"}).status_code == 403
    assert row_counts() == before
    assert outstanding(invoice) == Decimal("100.00")


def test_users_without_payment_permissions_get_403(role_client, customer):
    payment = PaymentFactory(customer=customer)
    client = role_client()
    for url in (LIST, NEW, detail_url(payment), cancel_url(payment), allocate_url(payment)):
        assert client.get(url).status_code == 403, url


def test_an_accounts_user_sees_the_buttons_that_change_a_payment(clerk, customer):
    page = clerk.get(detail_url(PaymentFactory(customer=customer)))
    assert b"Cancel payment" in page.content and b"Allocate advance" in page.content


# --- receiving: the flow -------------------------------------------------------------------


def test_the_form_without_a_customer_first_searches_for_one(clerk, customer, company):
    CustomerFactory(name="Acme Two", company=company)
    CustomerFactory(name="Globex", company=company)
    page = clerk.get(NEW)
    assert page.templates[0].name == "invoicing/payments/customer_search.html"
    assert page.context["customers"] == []

    found = clerk.get(NEW, {"q": "acme"})
    assert [match.name for match in found.context["customers"]] == ["Acme", "Acme Two"]
    assert f'href="?customer={customer.pk}"'.encode() in found.content

    by_code = clerk.get(NEW, {"q": customer.code})
    assert [match.pk for match in by_code.context["customers"]] == [customer.pk]


def test_the_customer_search_lists_at_most_twenty(clerk, company):
    CustomerFactory.create_batch(
        25, company=company, name=factory.Sequence(lambda n: f"Batch customer {n:03}")
    )
    found = clerk.get(NEW, {"q": "Batch"})
    assert len(found.context["customers"]) == 20
    assert b"Showing the first 20 matches" in found.content


def test_from_an_invoice_the_amount_is_its_outstanding_and_it_is_allocated(clerk, invoice):
    page = clerk.get(new_url(invoice=invoice.pk))
    form = page.context["form"]
    assert form.customer == invoice.customer and form.company == invoice.company
    assert form["amount"].value() == "100.00"
    assert form[f"allocate_{invoice.pk}"].value() == "100.00"
    assert form["posting_date"].value() is not None
    assert form["paid_to"].value() == account(invoice.company, "Bank").pk


def test_the_form_offers_only_the_companys_cash_and_bank_ledgers(clerk, customer, other_company):
    form = clerk.get(new_url(customer=customer.pk)).context["form"]
    offered = {choice.name for choice in form.fields["paid_to"].queryset}
    assert offered == {"Bank - DT", "Cash - DT"}
    cash = account(customer.company, "Cash")
    assert form.fields["paid_to"].widget.attrs["data-cash-account"] == cash.pk
    assert form["company"].value() == customer.company_id


def test_choosing_another_company_lists_that_companys_invoices(clerk, customer, other_company):
    page = clerk.get(new_url(customer=customer.pk, company=other_company.pk))
    form = page.context["form"]
    assert form.company == other_company
    assert {a.name for a in form.fields["paid_to"].queryset} == {"Bank - OW", "Cash - OW"}
    assert b"has no open invoices in Other Works" in page.content


def test_the_allocation_table_lists_open_invoices_oldest_due_first(
    clerk, customer, widget, invoice, older_invoice
):
    paid = submitted(customer, widget, "1")
    receive_payment(
        company=customer.company,
        customer=customer,
        posting_date=date(2026, 3, 12),
        amount=Decimal("10"),
        paid_to=account(customer.company, "Bank"),
        allocations=[Allocation(paid, Decimal("10"))],
    )
    cancelled = submitted(customer, widget, "2")
    cancel_invoice(invoice=cancelled, user=None)
    form = clerk.get(new_url(customer=customer.pk)).context["form"]
    assert [row.pk for row in form.invoices] == [older_invoice.pk, invoice.pk]


def test_a_full_payment_marks_the_invoice_paid(clerk, invoice):
    before = row_counts()
    response = clerk.post(
        new_url(invoice=invoice.pk), payment_data(invoice.company, "100.00", {invoice: "100.00"})
    )
    payment = Payment.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(payment)
    invoice.refresh_from_db()
    assert invoice.outstanding == 0 and invoice.status == "Paid"
    assert round(payment.unallocated, 2) == 0
    assert payment.created_by.groups.filter(name="Accounts User").exists()
    assert row_counts() == {
        "Payment": before["Payment"] + 1,
        "PaymentAllocation": before["PaymentAllocation"] + 1,
        "GLEntry": before["GLEntry"] + 2,
    }
    message = str(next(iter(get_messages(response.wsgi_request))))
    assert message == (
        f"Payment {payment} of 100.00 received from {invoice.customer}. "
        f"Allocated: {invoice} 100.00."
    )


def test_a_part_payment_leaves_the_invoice_partly_paid(clerk, invoice):
    clerk.post(
        new_url(customer=invoice.customer_id), payment_data(invoice.company, "40", {invoice: "40"})
    )
    invoice.refresh_from_db()
    assert round(invoice.outstanding, 2) == Decimal("60.00")
    assert invoice.status_on(date(2026, 3, 5)) == "Partly Paid"


def test_a_payment_without_allocations_is_an_advance(clerk, invoice):
    response = clerk.post(
        new_url(customer=invoice.customer_id),
        payment_data(
            invoice.company, "150", mode="cash", paid_to=account(invoice.company, "Cash").pk
        ),
    )
    payment = Payment.objects.get()
    assert response.status_code == 302
    assert round(payment.unallocated, 2) == Decimal("150.00")
    assert payment.mode == "cash" and payment.paid_to.name == "Cash - DT"
    assert outstanding(invoice) == Decimal("100.00")
    message = str(next(iter(get_messages(response.wsgi_request))))
    assert message.endswith("150.00 is kept as an advance.")


def test_an_advance_is_allocated_later(clerk, invoice, older_invoice):
    payment = PaymentFactory(customer=invoice.customer, amount=Decimal("150.00"))
    detail = clerk.get(detail_url(payment))
    assert b"Allocate advance" in detail.content

    form = clerk.get(allocate_url(payment)).context["form"]
    assert [row.pk for row in form.invoices] == [older_invoice.pk, invoice.pk]

    response = clerk.post(
        allocate_url(payment),
        {
            "allocated_on": "2026-03-25",
            f"allocate_{older_invoice.pk}": "30",
            f"allocate_{invoice.pk}": "100",
        },
    )
    assert response.status_code == 302 and response["Location"] == detail_url(payment)
    payment.refresh_from_db()
    assert round(payment.unallocated, 2) == Decimal("20.00")
    assert outstanding(invoice) == outstanding(older_invoice) == 0
    assert set(payment.allocations.values_list("allocated_on", flat=True)) == {date(2026, 3, 25)}

    page = clerk.get(detail_url(payment))
    assert b"Allocate advance" in page.content  # 20.00 still to allocate
    assert invoice.number.encode() in page.content and older_invoice.number.encode() in page.content


def test_allocating_needs_an_amount_against_some_invoice(clerk, invoice):
    payment = PaymentFactory(customer=invoice.customer)
    before = row_counts()
    page = clerk.post(allocate_url(payment), {"allocated_on": "2026-03-25"})
    assert page.status_code == 200
    assert (
        "Enter an amount to allocate against at least one invoice."
        in page.context["form"].non_field_errors()
    )
    assert row_counts() == before


def test_allocating_more_than_the_advance_is_refused(clerk, invoice):
    payment = PaymentFactory(customer=invoice.customer, amount=Decimal("50.00"))
    page = clerk.post(
        allocate_url(payment), {"allocated_on": "2026-03-25", f"allocate_{invoice.pk}": "80"}
    )
    assert page.context["form"].non_field_errors() == [
        f"{payment} has 50.00 left to allocate, not 80.00."
    ]
    assert outstanding(invoice) == Decimal("100.00")
    assert not PaymentAllocation.objects.exists()


def test_a_fully_allocated_or_cancelled_payment_has_nothing_to_allocate(clerk, invoice):
    payment = PaymentFactory(
        customer=invoice.customer,
        amount=Decimal("100.00"),
        allocations=[Allocation(invoice, Decimal("100.00"))],
    )
    page = clerk.get(allocate_url(payment))
    assert b"there is no advance left" in page.content and b'id="payment-form"' not in page.content
    assert b"Allocate advance" not in clerk.get(detail_url(payment)).content

    advance = PaymentFactory(customer=invoice.customer)
    clerk.post(cancel_url(advance))
    page = clerk.get(allocate_url(advance))
    assert b"This payment is cancelled" in page.content
    assert b'id="payment-form"' not in page.content


def test_cancelling_gives_the_invoices_their_outstanding_back(clerk, invoice, older_invoice):
    payment = PaymentFactory(
        customer=invoice.customer,
        amount=Decimal("100.00"),
        allocations=[Allocation(older_invoice, Decimal("30")), Allocation(invoice, Decimal("50"))],
    )
    confirm = clerk.get(cancel_url(payment))
    rows = [
        (row.invoice.number, row.amount, row.outstanding_after)
        for row in confirm.context["given_back"]
    ]
    assert rows == [
        (older_invoice.number, Decimal("30.00"), Decimal("30.00")),
        (invoice.number, Decimal("50.00"), Decimal("100.00")),
    ]
    assert b"These invoices get their outstanding back" in confirm.content
    assert Payment.objects.get().docstatus == "submitted"  # GET changes nothing

    entries = GLEntry.objects.count()
    response = clerk.post(cancel_url(payment))
    assert response.status_code == 302 and response["Location"] == detail_url(payment)
    payment.refresh_from_db()
    assert payment.docstatus == "cancelled"
    assert outstanding(invoice) == Decimal("100.00") and outstanding(older_invoice) == Decimal(
        "30.00"
    )
    assert GLEntry.objects.count() == entries + 2  # the reversal
    page = clerk.get(detail_url(payment))
    assert b"Cancelled" in page.content and b"Reversed by" in page.content
    assert b"Cancel payment" not in page.content


def test_cancelling_twice_is_refused_on_the_page(clerk, customer):
    payment = PaymentFactory(customer=customer)
    clerk.post(cancel_url(payment))
    entries = GLEntry.objects.count()
    page = clerk.post(cancel_url(payment))
    assert page.status_code == 200
    assert f"{payment} is already cancelled.".encode() in page.content
    assert GLEntry.objects.count() == entries


# --- allocate oldest first -----------------------------------------------------------------


def test_allocate_oldest_first_fills_the_inputs_and_saves_nothing(clerk, invoice, older_invoice):
    before = row_counts()
    data = payment_data(invoice.company, "110", action="allocate_oldest")
    page = clerk.post(new_url(customer=invoice.customer_id), data)
    form = page.context["form"]
    assert form[f"allocate_{older_invoice.pk}"].value() == "30.00"
    assert form[f"allocate_{invoice.pk}"].value() == "80.00"
    assert form.entered_total() == Decimal("110.00") and form.unallocated_total() == 0
    assert row_counts() == before


def test_allocate_oldest_first_through_htmx_returns_the_filled_form(clerk, invoice, older_invoice):
    data = payment_data(invoice.company, "200", action="allocate_oldest")
    page = clerk.post(new_url(customer=invoice.customer_id), data, HTTP_HX_REQUEST="true")
    assert page.status_code == 200
    form = page.context["form"]
    assert form[f"allocate_{older_invoice.pk}"].value() == "30.00"
    assert form[f"allocate_{invoice.pk}"].value() == "100.00"
    assert form.unallocated_total() == Decimal("70.00")
    assert b'id="payment-form"' in page.content


def test_allocate_oldest_first_without_an_amount_says_so(clerk, invoice):
    page = clerk.post(
        new_url(customer=invoice.customer_id),
        payment_data(invoice.company, "", action="allocate_oldest"),
    )
    assert page.context["form"].errors["amount"] == ["This field is required."]


def test_allocate_oldest_first_spreads_an_advance(clerk, invoice, older_invoice):
    payment = PaymentFactory(customer=invoice.customer, amount=Decimal("50.00"))
    page = clerk.post(
        allocate_url(payment), {"allocated_on": "2026-03-25", "action": "allocate_oldest"}
    )
    form = page.context["form"]
    assert form[f"allocate_{older_invoice.pk}"].value() == "30.00"
    assert form[f"allocate_{invoice.pk}"].value() == "20.00"
    assert not PaymentAllocation.objects.exists()


# --- bad input writes nothing --------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The amount must be more than 0."),
        ("-5", "The amount must be more than 0."),
        ("abc", "Enter an amount such as 1250.00."),
        ("", "This field is required."),
        ("12.345", "Give at most 2 decimal places."),
        ("1000000000000", "That is too large an amount."),
    ],
)
def test_a_bad_amount_is_refused_next_to_the_field(clerk, invoice, amount, message):
    before = row_counts()
    page = clerk.post(new_url(customer=invoice.customer_id), payment_data(invoice.company, amount))
    assert page.status_code == 200
    assert page.context["form"].errors["amount"] == [message]
    assert 'aria-invalid="true"' in page.content.decode()
    assert row_counts() == before


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-10", "Enter 0 or more."),
        ("abc", "Enter an amount such as 1250.00."),
        ("120", "SINV-DT-2026-00001 has 100.00 outstanding; 120.00 cannot be allocated to it."),
    ],
)
def test_a_bad_allocation_is_refused_on_its_row(clerk, invoice, value, message):
    before = row_counts()
    page = clerk.post(
        new_url(customer=invoice.customer_id),
        payment_data(invoice.company, "200", {invoice: value}),
    )
    assert page.context["form"].errors[f"allocate_{invoice.pk}"] == [message]
    assert message in page.content.decode()
    assert row_counts() == before
    assert outstanding(invoice) == Decimal("100.00")


def test_allocations_above_the_amount_are_refused(clerk, invoice, older_invoice):
    before = row_counts()
    data = payment_data(invoice.company, "50", {invoice: "40", older_invoice: "30"})
    page = clerk.post(new_url(customer=invoice.customer_id), data)
    assert page.context["form"].non_field_errors() == [
        "The allocations total 70.00, more than the payment of 50.00."
    ]
    assert row_counts() == before
    assert outstanding(invoice) == Decimal("100.00") and outstanding(older_invoice) == Decimal(
        "30.00"
    )


def test_an_account_of_another_company_is_refused(clerk, invoice, other_company):
    before = row_counts()
    data = payment_data(
        invoice.company, "100", {invoice: "100"}, paid_to=account(other_company, "Bank").pk
    )
    page = clerk.post(new_url(customer=invoice.customer_id), data)
    assert page.context["form"].errors["paid_to"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert row_counts() == before


def test_choosing_another_company_without_javascript_saves_nothing(clerk, invoice, other_company):
    data = payment_data(invoice.company, "100", {invoice: "100"})
    data["company"] = other_company.pk
    page = clerk.post(new_url(customer=invoice.customer_id), data)
    form = page.context["form"]
    assert form.company == other_company and form.invoices == []
    assert "paid_to" in form.errors  # the Bank of Demo Trading is not offered for Other Works
    assert not Payment.objects.exists()
    assert outstanding(invoice) == Decimal("100.00")


def test_an_empty_post_saves_nothing(clerk, invoice):
    page = clerk.post(new_url(customer=invoice.customer_id), {})
    assert page.status_code == 200 and page.context["form"].errors["amount"]
    assert not Payment.objects.exists()


def test_a_ledger_that_is_not_cash_or_bank_is_refused(clerk, invoice):
    data = payment_data(invoice.company, "100", paid_to=account(invoice.company, "Sales").pk)
    page = clerk.post(new_url(customer=invoice.customer_id), data)
    assert "paid_to" in page.context["form"].errors
    assert not Payment.objects.exists()


def test_an_invoice_of_another_customer_is_refused(clerk, invoice, company, widget):
    globex = CustomerFactory(name="Globex", company=company)
    theirs = submitted(globex, widget, "5")
    before = row_counts()
    data = payment_data(company, "100", {invoice: "50", theirs: "50"})  # a tampered form
    page = clerk.post(new_url(customer=invoice.customer_id), data)
    assert page.context["form"].non_field_errors() == [
        f"{theirs} is not an invoice of {invoice.customer} in {company}."
    ]
    assert row_counts() == before
    assert outstanding(invoice) == Decimal("100.00") and outstanding(theirs) == Decimal("50.00")


def test_a_cancelled_invoice_is_refused(clerk, invoice, customer, widget):
    cancelled = submitted(customer, widget, "2")
    cancel_invoice(invoice=cancelled, user=None)
    before = row_counts()
    data = payment_data(customer.company, "20", {cancelled: "20"})  # the form was older than that
    page = clerk.post(new_url(customer=customer.pk), data)
    assert page.context["form"].non_field_errors() == [
        f"{cancelled} is cancelled; only submitted invoices can be paid."
    ]
    assert row_counts() == before


def test_an_invoice_that_does_not_exist_is_refused(clerk, invoice):
    data = payment_data(invoice.company, "20", allocate_999999="20")
    page = clerk.post(new_url(customer=invoice.customer_id), data)
    assert page.context["form"].non_field_errors() == ["There is no invoice 999999 to allocate to."]
    assert not Payment.objects.exists()


def test_an_invoice_with_nothing_outstanding_says_so(clerk, invoice):
    receive_payment(
        company=invoice.company,
        customer=invoice.customer,
        posting_date=date(2026, 3, 12),
        amount=Decimal("100"),
        paid_to=account(invoice.company, "Bank"),
        allocations=[Allocation(invoice, Decimal("100"))],
    )
    page = clerk.get(new_url(invoice=invoice.pk))
    assert page.context["form"]["amount"].value() is None
    messages = [str(message) for message in get_messages(page.wsgi_request)]
    assert messages == [f"{invoice} has nothing outstanding in Demo Trading to allocate to."]


# --- the receipt ---------------------------------------------------------------------------


def test_the_receipt_shows_allocations_advance_and_journal(clerk, invoice):
    payment = PaymentFactory(
        customer=invoice.customer,
        amount=Decimal("130.00"),
        reference="TRX-4711",
        allocations=[Allocation(invoice, Decimal("100"))],
    )
    page = clerk.get(detail_url(payment)).content.decode()
    assert payment.number in page and "TRX-4711" in page and invoice.number in page
    assert 'id="unallocated">30.00<' in page
    assert "Bank - DT" in page and "Debtors" not in page
    assert reverse("accounts:chart", args=[invoice.company_id]) in page
    assert "d-print-none" in page  # the print rules are in app.css


# --- the list ------------------------------------------------------------------------------


@pytest.fixture
def payments(customer, company, other_company):
    globex = CustomerFactory(name="Globex", code="GLOBEX", company=other_company)
    first = PaymentFactory(customer=customer, amount=Decimal("100"), posting_date=date(2026, 1, 5))
    second = PaymentFactory(
        customer=customer,
        amount=Decimal("40"),
        posting_date=date(2026, 2, 5),
        mode="cash",
        paid_to=account(company, "Cash"),
        reference="Receipt 17",
    )
    third = PaymentFactory(customer=globex, amount=Decimal("7.50"), posting_date=date(2026, 3, 5))
    return first, second, third


def listed(client, **params):
    page = client.get(LIST, params)
    assert page.status_code == 200
    return [payment.number for payment in page.context["page_obj"].object_list]


def test_the_list_is_newest_first_with_totals_of_the_filtered_set(clerk, payments):
    first, second, third = payments
    page = clerk.get(LIST)
    assert [p.number for p in page.context["page_obj"].object_list] == [
        third.number,
        second.number,
        first.number,
    ]
    totals = page.context["totals"]
    assert round(totals["amount"], 2) == Decimal("147.50")
    assert listed(clerk, company=first.company_id) == [second.number, first.number]
    filtered = clerk.get(LIST, {"company": first.company_id}).context["totals"]
    assert round(filtered["amount"], 2) == Decimal("140.00")


def test_the_list_searches_numbers_references_and_customers(clerk, payments):
    first, second, third = payments
    assert listed(clerk, q=first.number) == [first.number]
    assert listed(clerk, q="receipt 17") == [second.number]
    assert listed(clerk, q="glob") == [third.number]
    assert listed(clerk, q="GLOBEX") == [third.number]
    assert listed(clerk, q="nobody") == []


def test_the_list_filters(clerk, payments, customer):
    first, second, third = payments
    assert listed(clerk, mode="cash") == [second.number]
    assert listed(clerk, date_from="2026-02-01", date_to="2026-02-28") == [second.number]
    assert listed(clerk, customer=customer.pk) == [second.number, first.number]
    assert listed(clerk, status="advance") == [third.number, second.number, first.number]
    clerk.post(cancel_url(first))
    assert listed(clerk, status="cancelled") == [first.number]
    assert listed(clerk, status="submitted") == [third.number, second.number]
    totals = clerk.get(LIST).context["totals"]
    assert round(totals["amount"], 2) == Decimal("47.50") and totals["cancelled"] == 1


def test_the_list_sorts_by_a_column_both_ways(clerk, payments):
    first, second, third = payments
    assert listed(clerk, sort="amount") == [third.number, second.number, first.number]
    assert listed(clerk, sort="-amount") == [first.number, second.number, third.number]
    assert listed(clerk, sort="-customer")[0] == third.number  # Globex after Acme
    assert listed(clerk, sort="bogus") == [third.number, second.number, first.number]


def test_dates_in_the_wrong_order_are_pointed_out(clerk, payments):
    page = clerk.get(LIST, {"date_from": "2026-03-01", "date_to": "2026-02-01"})
    assert page.context["form"].errors["date_to"] == [
        "2026-02-01 is before 2026-03-01; swap the dates."
    ]
    assert list(page.context["page_obj"].object_list) == []


# --- queries per page ----------------------------------------------------------------------


def test_the_list_runs_the_same_queries_for_few_and_many_payments(
    clerk, customer, django_assert_max_num_queries
):
    for _ in range(3):
        PaymentFactory(customer=customer)
    with django_assert_max_num_queries(8) as few:
        clerk.get(LIST)
    for _ in range(30):
        PaymentFactory(customer=customer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        clerk.get(LIST)


def test_the_receipt_runs_the_same_queries_for_one_and_many_allocations(
    clerk, customer, widget, django_assert_max_num_queries
):
    one = [submitted(customer, widget, "1")]
    small = PaymentFactory(customer=customer, allocations=[Allocation(one[0], Decimal("5"))])
    many = [submitted(customer, widget, "1") for _ in range(10)]
    big = PaymentFactory(
        customer=customer, allocations=[Allocation(invoice, Decimal("5")) for invoice in many]
    )
    with django_assert_max_num_queries(7) as few:
        clerk.get(detail_url(small))
    with django_assert_max_num_queries(len(few.captured_queries)):
        clerk.get(detail_url(big))
    with django_assert_max_num_queries(len(few.captured_queries)):
        clerk.get(cancel_url(big))


def test_the_form_runs_the_same_queries_for_few_and_many_open_invoices(
    clerk, customer, widget, django_assert_max_num_queries
):
    submitted(customer, widget, "1")
    with django_assert_max_num_queries(12) as few:
        clerk.get(new_url(customer=customer.pk))
    for _ in range(15):
        submitted(customer, widget, "1")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = clerk.get(new_url(customer=customer.pk))
    assert len(page.context["form"].invoices) == 16
    payment = PaymentFactory(customer=customer)
    with django_assert_max_num_queries(len(few.captured_queries)):
        clerk.get(allocate_url(payment))
