"""The report pages, their downloads, the dashboard and the targets page, through the client."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from analytics.models import SalesTarget
from analytics.services import set_target

pytestmark = pytest.mark.django_db

D = Decimal
MARCH = {"date_from": "2026-03-01", "date_to": "2026-03-31"}
REPORTS = [
    "profitability",
    "sales_by_group",
    "sales_by_territory",
    "territory_targets",
    "sales_person_targets",
    "commission",
]


@pytest.fixture
def manager(role_client):
    return role_client("Sales Manager")


def march(book, **more):
    return {"company": book.company.pk, **MARCH, **more}


@pytest.mark.parametrize("report", REPORTS)
def test_every_report_opens_for_accounts_users_with_a_chart(role_client, book, report):
    response = role_client("Accounts User").get(reverse(f"analytics:{report}"), march(book))

    assert response.status_code == 200
    assert b"<svg" in response.content
    assert b"Demo Trading" in response.content


@pytest.mark.parametrize("report", REPORTS)
def test_every_report_page_takes_a_constant_number_of_queries(
    manager, book, report, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        assert manager.get(reverse(f"analytics:{report}"), march(book)).status_code == 200


def test_profitability_page_shows_the_rows_and_totals(manager, book):
    response = manager.get(reverse("analytics:profitability"), march(book))

    names = [row["name"] for row in response.context["rows"]]
    assert names == ["Bravo", "Alpha", "Charlie", "Delta"]
    assert response.context["totals"]["net_sales"] == D(505)
    assert b"35.71 %" in response.content and b"505.00" in response.content


def test_profitability_sorts_least_profitable_first(manager, book):
    response = manager.get(reverse("analytics:profitability"), march(book, sort="gross_margin"))

    assert response.context["rows"][0]["name"] == "Delta"
    assert response.context["sort_headers"]["gross_margin"].arrow == "▲"


def test_an_unknown_sort_falls_back_to_the_default(manager, book):
    response = manager.get(reverse("analytics:profitability"), march(book, sort="-nonsense"))

    assert response.status_code == 200
    assert response.context["rows"][0]["name"] == "Bravo"


def test_filters_narrow_the_report(manager, book):
    query = march(book, territory=book.territories["germany"].pk)
    response = manager.get(reverse("analytics:profitability"), query)

    assert {row["name"] for row in response.context["rows"]} == {"Alpha", "Bravo"}
    assert "Germany" in response.context["form"].scope()[-1]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "yesterday"}, "Enter a valid date."),
        ({"date_from": "2026-04-01", "date_to": "2026-03-01"}, "swap the dates"),
        ({"date_from": "2020-01-01", "date_to": "2026-03-01"}, "longer than three years"),
        ({"company": "999999"}, "Select a valid choice."),
        ({"territory": "abc"}, "Select a valid choice."),
    ],
)
@pytest.mark.parametrize("report", REPORTS)
def test_bad_filters_show_a_message_and_no_report(manager, book, report, query, message):
    response = manager.get(reverse(f"analytics:{report}"), {**march(book), **query})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Fix the choices above to see the report." in response.content.decode()
    assert "rows" not in response.context


def test_a_bad_download_goes_back_to_the_page(manager, book):
    url = reverse("analytics:profitability_export", args=["csv"])
    response = manager.get(url, {"date_from": "yesterday"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("analytics:profitability"))


def test_profitability_csv_has_every_row_in_the_page_order(manager, book):
    url = reverse("analytics:profitability_export", args=["csv"])
    response = manager.get(url, march(book, sort="gross_margin"))

    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0][:3] == ["Customer code", "Customer", "Net sales"]
    assert [line[1] for line in lines[1:]] == ["Delta", "Charlie", "Alpha", "Bravo"]
    delta = lines[1]
    assert delta[2:] == ["25.00", "30.00", "-5.00", "-20.00", "25.00", ""]


def test_territory_xlsx_has_the_tree_with_paths(manager, book):
    url = reverse("analytics:sales_by_territory_export", args=["xlsx"])
    response = manager.get(url, march(book))

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    berlin = rows["All Territories › Europe › Germany › Berlin"]
    assert (berlin[1], berlin[2], berlin[4], berlin[5]) == (3, 140, 27.72, None)
    assert rows["All Territories › Europe › France"][5] == -20


@pytest.mark.parametrize("report", REPORTS)
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_every_report_downloads(manager, book, report, file_format):
    url = reverse(f"analytics:{report}_export", args=[file_format])
    response = manager.get(url, march(book))

    assert response.status_code == 200
    assert f".{file_format}" in response["Content-Disposition"]


def test_target_report_shows_months_of_the_top_row(manager, book):
    set_target(
        company=book.company, fiscal_year=2026, sales_person=book.people["alice"], amount=1200
    )
    query = march(book, date_from="2026-02-01")
    response = manager.get(reverse("analytics:sales_person_targets"), query)

    rows = {row.name: row for row in response.context["rows"]}
    assert rows["Alice"].target == D(200) and rows["Alice"].achieved == D(84)
    assert response.context["top"].name == "Alice"  # the first row with a target
    assert b"February 2026" in response.content


def test_commission_page_totals(manager, book):
    response = manager.get(reverse("analytics:commission"), march(book))

    assert response.context["totals"]["commission_due"] == D("15.01")
    assert b"Pioneer" in response.content


def test_tree_pages_have_collapsible_rows(manager, book):
    response = manager.get(reverse("analytics:sales_by_territory"), march(book))

    content = response.content.decode()
    assert content.count('class="tree-toggle') == 3  # All Territories, Europe, Germany
    assert "js/report-tree.js" in content


# --- the dashboard --------------------------------------------------------------------------


def test_the_dashboard_is_the_home_page_with_links_to_the_reports(manager, book):
    response = manager.get(reverse("home"))

    content = response.content.decode()
    assert response.status_code == 200
    assert {row["company__name"] for row in response.context["receivables"]} == {
        "Demo Trading",
        "Other Works",
    }
    assert reverse("analytics:territory_targets") in content
    assert reverse("invoicing:aging") in content
    assert "Recent invoices" in content and "Over or near the credit limit" in content


def test_the_dashboard_takes_a_constant_number_of_queries(
    manager, book, django_assert_max_num_queries
):
    with django_assert_max_num_queries(40):
        manager.get(reverse("home"))


def test_users_without_the_reports_see_the_counts_only(role_client, book):
    response = role_client("Sales User").get(reverse("home"))

    assert response.status_code == 200
    assert "receivables" not in response.context
    assert dict(response.context["counts"])["Customers"] == 5


# --- targets on the territory and sales person pages ----------------------------------------


def targets_url(book, node="germany"):
    return reverse("analytics:tree_targets", args=["territories", book.territories[node].pk])


def test_a_sales_manager_sets_a_target(manager, book):
    response = manager.post(
        targets_url(book),
        {"company": book.company.pk, "fiscal_year": 2026, "amount": "12000", "distribution": ""},
    )

    assert response.status_code == 302
    target = SalesTarget.objects.get()
    assert (target.territory, target.amount) == (book.territories["germany"], D(12000))
    page = manager.get(targets_url(book)).content.decode()
    assert "12,000.00" in page and "1,000.00" in page


def test_a_bad_target_shows_the_error_and_writes_nothing(manager, book):
    response = manager.post(
        targets_url(book),
        {"company": book.company.pk, "fiscal_year": 1999, "amount": "-5"},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"fiscal_year", "amount"}
    assert not SalesTarget.objects.exists()


def test_a_target_can_be_removed(manager, book):
    target = set_target(
        company=book.company, fiscal_year=2026, territory=book.territories["germany"], amount=1
    )

    response = manager.post(targets_url(book), {"remove": target.pk})

    assert response.status_code == 302
    assert not SalesTarget.objects.exists()


def test_accounts_users_see_targets_but_cannot_set_them(role_client, book):
    client = role_client("Accounts User")

    assert client.get(targets_url(book)).status_code == 200
    response = client.post(
        targets_url(book), {"company": book.company.pk, "fiscal_year": 2026, "amount": "1"}
    )
    assert response.status_code == 403
    assert not SalesTarget.objects.exists()


def test_sales_person_targets_page(manager, book):
    url = reverse("analytics:tree_targets", args=["sales-persons", book.people["alice"].pk])
    manager.post(url, {"company": book.company.pk, "fiscal_year": 2026, "amount": "1200"})

    assert SalesTarget.objects.get().sales_person == book.people["alice"]


def test_customer_groups_have_no_targets(manager, book):
    url = reverse("analytics:tree_targets", args=["customer-groups", book.groups["root"].pk])

    assert manager.get(url).status_code == 404


def test_the_territory_tree_links_to_the_targets(manager, book):
    response = manager.get(reverse("crm:tree", args=["territories"]))

    assert targets_url(book).encode() in response.content


def test_reports_menu_in_the_navbar(manager, role_client, book):
    assert b"Customer profitability" in manager.get(reverse("home")).content
    assert b"Customer profitability" not in role_client("Sales User").get(reverse("home")).content
