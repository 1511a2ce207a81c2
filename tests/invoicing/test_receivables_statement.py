"""The customer's ledger statement: opening balance, a line per posting with its running
balance, cancellations as lines of their own, closing balance; the page, print and CSV."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import PartyLedger
from invoicing.receivables import statement
from invoicing.services import cancel_invoice, cancel_payment
from tests.factories import CustomerFactory
from tests.invoicing.helpers import invoice_on, paid

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = date(2026, 4, 20)


invoice, pay = invoice_on, paid


@pytest.fixture
def postings(customer, widget, other_company):
    """Before 2026: invoice 1,000 and payment 400 (opening 600 Dr). In the first quarter:
    invoice 500; payment 300 against it; invoice 200 cancelled; payment 100 cancelled.
    After it: invoice 50. And an invoice in the other company, which is another ledger."""
    first = invoice(customer, "1000", date(2025, 12, 20), item=widget)
    pay(customer, "400", date(2025, 12, 28), (first, "400"))
    january = invoice(customer, "500", date(2026, 1, 15), item=widget)
    february_payment = pay(customer, "300", date(2026, 2, 1), (january, "300"))
    cancelled = invoice(customer, "200", date(2026, 2, 10), item=widget)
    cancel_invoice(invoice=cancelled, user=None)
    returned = pay(customer, "100", date(2026, 3, 1))
    cancel_payment(payment=returned, user=None)
    invoice(customer, "50", date(2026, 4, 5), item=widget)
    invoice(customer, "999", date(2026, 1, 20), item=widget, company=other_company)
    return {
        "january": january,
        "february_payment": february_payment,
        "cancelled": cancelled,
        "returned": returned,
    }


def ledger_of(customer, company=None):
    return PartyLedger.objects.select_related("company", "account").get(
        customer=customer, company=company or customer.company
    )


def figures(lines):
    return [
        (
            line.posting_date,
            line.voucher_number,
            line.is_reversal,
            line.debit,
            line.credit,
            round(line.balance, 2),
        )
        for line in lines
    ]


def test_the_statement_runs_from_the_opening_to_the_closing_balance(customer, postings):
    result = statement(
        ledger=ledger_of(customer), date_from=date(2026, 1, 1), date_to=date(2026, 3, 31)
    )
    january, payment = postings["january"], postings["february_payment"]
    cancelled, returned = postings["cancelled"], postings["returned"]
    assert round(result.opening, 2) == D("600.00")
    assert figures(result.lines) == [
        (date(2026, 1, 15), january.number, False, D("500.00"), D("0.00"), D("1100.00")),
        (date(2026, 2, 1), payment.number, False, D("0.00"), D("300.00"), D("800.00")),
        (date(2026, 2, 10), cancelled.number, False, D("200.00"), D("0.00"), D("1000.00")),
        (date(2026, 2, 10), cancelled.number, True, D("0.00"), D("200.00"), D("800.00")),
        (date(2026, 3, 1), returned.number, False, D("0.00"), D("100.00"), D("700.00")),
        (date(2026, 3, 1), returned.number, True, D("100.00"), D("0.00"), D("800.00")),
    ]
    assert (result.total_debit, result.total_credit) == (D("800.00"), D("600.00"))
    assert round(result.closing, 2) == D("800.00")


def test_a_range_boundary_moves_postings_into_the_opening_balance(customer, postings):
    result = statement(
        ledger=ledger_of(customer), date_from=date(2026, 2, 1), date_to=date(2026, 2, 10)
    )
    assert round(result.opening, 2) == D("1100.00")  # 600 before 2026 + January's 500
    assert [line.posting_date for line in result.lines] == [
        date(2026, 2, 1),  # both ends of the range are in it
        date(2026, 2, 10),
        date(2026, 2, 10),
    ]
    assert round(result.closing, 2) == D("800.00")


def test_lines_link_to_their_documents_cancellations_too(customer, postings):
    result = statement(
        ledger=ledger_of(customer), date_from=date(2026, 1, 1), date_to=date(2026, 3, 31)
    )
    links = [(line.voucher_type, line.invoice_id, line.payment_id) for line in result.lines]
    assert links == [
        ("Sales Invoice", postings["january"].pk, None),
        ("Payment", None, postings["february_payment"].pk),
        ("Sales Invoice", postings["cancelled"].pk, None),
        ("Sales Invoice", postings["cancelled"].pk, None),
        ("Payment", None, postings["returned"].pk),
        ("Payment", None, postings["returned"].pk),
    ]
    assert result.lines[3].remark == f"Cancelled {postings['cancelled'].number}"


def test_each_company_has_its_own_statement(customer, other_company, postings):
    result = statement(
        ledger=ledger_of(customer, other_company),
        date_from=date(2026, 1, 1),
        date_to=date(2026, 12, 31),
    )
    assert [(line.debit, round(line.balance, 2)) for line in result.lines] == [
        (D("999.00"), D("999.00"))
    ]


def test_the_statement_is_two_queries_however_many_lines(
    customer, postings, django_assert_num_queries
):
    ledger = ledger_of(customer)
    with django_assert_num_queries(2):
        statement(ledger=ledger, date_from=date(2025, 1, 1), date_to=TODAY)


# --- the page -----------------------------------------------------------------------------


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    return TODAY


def url(customer, name="invoicing:statement"):
    return reverse(name, args=[customer.pk])


def test_the_page_defaults_to_the_customers_company_and_this_year(
    role_client, customer, postings, today
):
    response = role_client("Sales User").get(url(customer))
    assert response.status_code == 200
    result = response.context["statement"]
    assert (result.company, result.date_from, result.date_to) == (
        customer.company,
        date(2026, 1, 1),
        TODAY,
    )
    assert round(result.closing, 2) == D("850.00")  # 800 + April's 50
    html = response.content.decode()
    assert "600.00 Dr" in html and "850.00 Dr" in html
    assert html.count('class="badge text-bg-secondary">Cancellation</span>') == 2
    invoice_url = reverse("invoicing:invoice_detail", args=[postings["january"].pk])
    assert f'href="{invoice_url}"' in html


def test_the_page_shows_the_chosen_company_and_period(
    role_client, customer, other_company, postings, today
):
    response = role_client("Sales User").get(
        url(customer),
        {"company": other_company.pk, "date_from": "2026-01-20", "date_to": "2026-01-20"},
    )
    result = response.context["statement"]
    assert result.company == other_company
    assert [line.debit for line in result.lines] == [D("999.00")]


def test_the_page_is_printable(role_client, customer, postings, today):
    html = role_client("Sales User").get(url(customer)).content.decode()
    assert "d-print-none" in html  # the print rules are in app.css
    assert 'onclick="window.print()"' in html
    assert 'id="print-header"' in html
    assert "Period 2026-01-01 to 2026-04-20" in html
    assert 'class="card shadow-sm mb-3 d-print-none" id="statement-filters"' in html


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"date_from": "2026-03-01", "date_to": "2026-02-01"},
            "date_to",
            "The period ends on 2026-02-01, before it starts (2026-03-01).",
        ),
        ({"date_from": "yesterday"}, "date_from", "Enter a valid date."),
        ({"company": "999999"}, "company", "Select a valid choice."),
    ],
)
def test_a_wrong_choice_is_shown_next_to_its_field(
    role_client, customer, postings, today, params, field, message
):
    response = role_client("Sales User").get(url(customer), params)
    assert response.status_code == 200
    assert response.context["statement"] is None
    assert message in response.context["form"].errors[field][0]


def test_a_company_the_customer_has_no_ledger_in_cannot_be_chosen(
    role_client, customer, postings, today
):
    stranger = CustomerFactory(name="Stranger")  # its own, third company
    response = role_client("Sales User").get(url(customer), {"company": stranger.company_id})
    assert "company" in response.context["form"].errors


def test_an_unknown_customer_is_404(role_client, db):
    assert role_client("Sales User").get("/receivables/statement/999999/").status_code == 404


def test_the_page_costs_the_same_queries_however_many_lines(
    role_client, customer, widget, today, django_assert_max_num_queries
):
    client = role_client("Sales User")
    invoice(customer, "10", date(2026, 1, 2), item=widget)
    with django_assert_max_num_queries(12) as few:
        client.get(url(customer))
    for day in range(3, 28):
        invoice(customer, "10", date(2026, 1, day), item=widget)
    pay(customer, "70", date(2026, 2, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url(customer))
    assert len(response.context["statement"].lines) == 27


def test_the_page_needs_the_right_to_see_invoices(client, django_user_model, customer):
    client.force_login(django_user_model.objects.create_user("nobody"))
    assert client.get(url(customer)).status_code == 403
    assert client.get(url(customer, "invoicing:statement_csv")).status_code == 403


# --- the CSV ------------------------------------------------------------------------------


def test_the_csv_has_the_same_lines(role_client, customer, postings, today):
    response = role_client("Sales User").get(
        url(customer, "invoicing:statement_csv"),
        {"date_from": "2026-01-01", "date_to": "2026-03-31"},
    )
    assert response["Content-Type"].startswith("text/csv")
    code = customer.code
    assert response["Content-Disposition"] == (
        f'attachment; filename="statement-{code}-DT-20260101-20260331.csv"'
    )
    january, payment = postings["january"], postings["february_payment"]
    cancelled, returned = postings["cancelled"].number, postings["returned"].number
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Date", "Voucher type", "Voucher number", "Remark", "Debit", "Credit", "Balance"],
        ["2026-01-01", "", "", "Opening balance", "", "", "600.00"],
        [
            "2026-01-15",
            "Sales Invoice",
            january.number,
            f"Sales invoice {january.number} to {customer}",
            "500.00",
            "0.00",
            "1100.00",
        ],
        [
            "2026-02-01",
            "Payment",
            payment.number,
            f"Payment {payment.number} from {customer}",
            "0.00",
            "300.00",
            "800.00",
        ],
        [
            "2026-02-10",
            "Sales Invoice",
            cancelled,
            f"Sales invoice {cancelled} to {customer}",
            "200.00",
            "0.00",
            "1000.00",
        ],
        [
            "2026-02-10",
            "Sales Invoice (cancellation)",
            cancelled,
            f"Cancelled {cancelled}",
            "0.00",
            "200.00",
            "800.00",
        ],
        [
            "2026-03-01",
            "Payment",
            returned,
            f"Payment {returned} from {customer}",
            "0.00",
            "100.00",
            "700.00",
        ],
        [
            "2026-03-01",
            "Payment (cancellation)",
            returned,
            f"Cancelled {returned}",
            "100.00",
            "0.00",
            "800.00",
        ],
        ["", "", "", "Totals", "800.00", "600.00", ""],
        ["2026-03-31", "", "", "Closing balance", "", "", "800.00"],
    ]


def test_the_csv_of_a_wrong_period_sends_back_to_the_page(role_client, customer, today):
    response = role_client("Sales User").get(
        url(customer, "invoicing:statement_csv"), {"date_from": "nonsense"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url(customer)}?date_from=nonsense"
