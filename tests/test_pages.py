"""Pages: login everywhere, permissions, real counts, the chart with balances."""

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Account
from accounts.services import JournalLine, post_journal
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/accounts/chart/", "/admin/"])
def test_every_page_needs_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_login_page_is_public_and_logs_in(client, admin_user):
    assert client.get("/login/").status_code == 200
    response = client.post(
        "/login/", {"username": "admin", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_wrong_password_shows_a_message(client, admin_user):
    response = client.post("/login/", {"username": "admin", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_home_shows_real_counts(role_client, customer):
    CustomerFactory(company=customer.company, disabled=True)
    response = role_client("Sales User").get("/")
    counts = dict(response.context["counts"])
    assert counts["Customers"] == 2
    assert counts["Active customers"] == 1
    assert counts["Companies"] == 1
    assert counts["Party ledgers"] == 2


def test_chart_is_refused_without_permission(role_client, company):
    assert role_client("Sales User").get("/accounts/chart/").status_code == 403


def test_chart_shows_the_tree_with_rolled_up_balances(role_client, customer, company):
    ledger = customer.ledgers.get().account
    post_journal(
        company=company,
        posting_date=date(2026, 2, 1),
        lines=[
            JournalLine(ledger, debit="1234.50"),
            JournalLine(Account.objects.get(name="Sales - DT"), credit="1234.50"),
        ],
    )
    response = role_client("Accounts User").get(reverse("accounts:chart", args=[company.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    rows = {row.account.name: row for row in response.context["rows"]}
    assert rows["Acme - DT"].balance == rows["Accounts Receivable - DT"].balance == 1234.5
    assert rows["Assets - DT"].balance == 1234.5
    assert rows["Income - DT"].balance == -1234.5
    assert "1,234.50 Dr" in html and "1,234.50 Cr" in html
    assert html.index("Accounts Receivable - DT") < html.index("Acme - DT")


def test_chart_page_costs_the_same_queries_with_many_ledgers(
    role_client, company, django_assert_max_num_queries
):
    client = role_client("Accounts User")
    CustomerFactory.create_batch(3, company=company)
    with django_assert_max_num_queries(12) as small:
        client.get("/accounts/chart/")
    CustomerFactory.create_batch(60, company=company)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/accounts/chart/")
    receivable = next(
        r for r in response.context["rows"] if r.account.name == "Accounts Receivable - DT"
    )
    assert receivable.ledger_count == 63
    assert receivable.hidden_ledgers == 13
    assert "and 13 more ledgers" in response.content.decode()


def test_chart_offers_every_company(role_client, company, other_company):
    response = role_client("Accounts User").get(reverse("accounts:chart", args=[other_company.pk]))
    assert response.context["company"] == other_company
    assert "Sales - OW" in response.content.decode()


def test_chart_without_any_company_explains_what_to_do(role_client):
    response = role_client("Accounts User").get("/accounts/chart/")
    assert "No company yet" in response.content.decode()
