"""In a real browser: the dashboard and every sales report, with their charts, sorted,
filtered and folded; the screenshots go to docs/img/ for the user guide."""

import shutil
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from analytics.services import create_distribution, set_target
from crm.models import Customer, CustomerGroup, SalesPartner, SalesPerson, Territory
from crm.services import set_sales_team
from invoicing.services import create_draft_invoice, submit_invoice
from pricing.models import Item
from tests.browser.conftest import SCREENSHOTS, screenshot
from tests.factories import CompanyFactory, CustomerFactory
from tests.invoicing.helpers import paid

pytestmark = pytest.mark.usefixtures("migrated_rows")

DOCS_IMAGES = SCREENSHOTS.parent / "docs" / "img"
SEASONAL = [6, 6, 8, 8, 9, 9, 7, 6, 9, 10, 11, 11]


def tree(model, names, parent):
    """Nodes under `parent` from {name: children}; a name with children is a group."""
    nodes = {}
    for name, children in names.items():
        node = model.objects.create(name=name, parent=parent, is_group=bool(children))
        nodes[name] = node
        nodes |= tree(model, children, node)
    return nodes


@pytest.fixture
def sales():
    """A year of sales of Browser Trading across a territory tree three levels deep, two
    customer groups, a sales team split 60/40, two sales partners, and targets."""
    today = timezone.localdate()
    company = CompanyFactory(name="Browser Trading", abbreviation="BT")
    territories = tree(
        Territory,
        {
            "Europe": {"Germany": {"Berlin": {}, "Munich": {}}, "France": {}},
            "Americas": {"United States": {}, "Canada": {}},
        },
        Territory.objects.get(name="All Territories"),
    )
    groups = {name: CustomerGroup.objects.get(name=name) for name in ("Commercial", "Government")}
    people = tree(
        SalesPerson,
        {"Field sales": {"Alice Martin": {}, "Bruno Keller": {}}, "Key accounts": {"Chen Wei": {}}},
        SalesPerson.objects.get(name="Sales Team"),
    )
    items = {
        "Consulting day": Item.objects.create(
            code="CONSULT", name="Consulting day", standard_cost=Decimal("420")
        ),
        "Licence": Item.objects.create(code="LIC", name="Licence", standard_cost=Decimal("90")),
        "Hardware kit": Item.objects.create(
            code="HW", name="Hardware kit", standard_cost=Decimal("610")
        ),
    }
    partners = {
        "Northern Channel": SalesPartner.objects.create(
            name="Northern Channel", partner_type="channel_partner", commission_rate=7.5
        ),
        "Pacific Resellers": SalesPartner.objects.create(
            name="Pacific Resellers", partner_type="reseller", commission_rate=5
        ),
    }
    book = [
        # customer, territory, group, team, partner, [(item, quantity, rate)] per month
        (
            "Adler Maschinenbau",
            "Berlin",
            "Commercial",
            [("Alice Martin", 60), ("Bruno Keller", 40)],
            "Northern Channel",
            ("Consulting day", 6, 950),
        ),
        (
            "Bavaria Foods",
            "Munich",
            "Commercial",
            [("Bruno Keller", 100)],
            None,
            ("Hardware kit", 4, 640),
        ),
        (
            "Citadelle Conseil",
            "France",
            "Government",
            [("Alice Martin", 100)],
            None,
            ("Licence", 30, 210),
        ),
        (
            "Delmar Logistics",
            "United States",
            "Commercial",
            [("Chen Wei", 100)],
            "Pacific Resellers",
            ("Consulting day", 5, 1100),
        ),
        (
            "Evergreen Schools",
            "Canada",
            "Government",
            [("Chen Wei", 100)],
            None,
            ("Hardware kit", 3, 590),
        ),
        (
            "Fjord Shipping",
            "Berlin",
            "Commercial",
            [("Bruno Keller", 100)],
            None,
            ("Licence", 12, 240),
        ),
    ]
    seasonal = create_distribution(name="Seasonal", percentages=SEASONAL)
    for index, (name, territory, group, team, partner, (item, quantity, rate)) in enumerate(book):
        customer = CustomerFactory(
            name=name,
            company=company,
            territory=territories[territory],
            customer_group=groups[group],
        )
        set_sales_team(customer=customer, members=[(people[who], share) for who, share in team])
        invoices = []
        last_year = [date(today.year - 1, month, 3 + index * 4) for month in range(1, 13, 2)]
        this_year = [date(today.year, month, 3 + index * 4) for month in range(1, today.month)]
        for day in [*last_year[index % 2 :], *this_year, today]:
            month = day.month
            draft = create_draft_invoice(
                company=company,
                customer=customer,
                posting_date=day,
                lines=[(items[item], quantity + (month + index) % 3, rate)],
                sales_partner=partners.get(partner),
            )
            invoices.append(submit_invoice(invoice=draft, user=None))
        for invoice in invoices[: -2 - index % 3]:
            paid(
                customer,
                invoice.total,
                invoice.posting_date + timedelta(days=12 + 9 * index),
                (invoice, invoice.total),
            )
    for name, limit in [("Citadelle Conseil", 27_000), ("Delmar Logistics", 12_000)]:
        Customer.objects.filter(name=name).update(credit_limit=limit)  # 97 % and 110 % used
    for name, amount in [("Europe", 900_000), ("Germany", 520_000), ("Americas", 400_000)]:
        set_target(
            company=company,
            fiscal_year=today.year,
            territory=territories[name],
            amount=amount,
            distribution=seasonal,
        )
    for name, amount in [
        ("Alice Martin", 420_000),
        ("Bruno Keller", 300_000),
        ("Chen Wei", 380_000),
    ]:
        set_target(
            company=company, fiscal_year=today.year, sales_person=people[name], amount=amount
        )
    return company


def save_for_docs(page, name):
    screenshot(page, name)
    DOCS_IMAGES.mkdir(exist_ok=True)
    shutil.copyfile(SCREENSHOTS / f"{name}.png", DOCS_IMAGES / f"{name}.png")


def test_dashboard_and_reports(logged_in, live_server, sales):
    page = logged_in
    page.goto(f"{live_server.url}/")  # logged in before the sales were made
    expect(page.locator("#dashboard-receivables")).to_contain_text("Browser Trading")
    expect(page.locator("#dashboard-top-customers tbody tr")).to_have_count(5)
    expect(page.locator("#dashboard-credit-watch tbody tr")).to_have_count(2)
    save_for_docs(page, "dashboard")

    page.get_by_role("button", name="Reports").click()
    page.get_by_role("link", name="Customer profitability").click()
    expect(page.locator("#profitability tbody tr")).to_have_count(6)
    expect(page.locator("#report-scope")).to_contain_text("Browser Trading")
    save_for_docs(page, "report-profitability")
    page.get_by_role("link", name="Gross margin").click()
    expect(page.locator("#profitability th[aria-sort=ascending]")).to_contain_text("Gross margin")

    page.goto(f"{live_server.url}/reports/sales-by-territory/")
    table = page.locator("#tree-sales")
    expect(table).to_contain_text("Munich")
    save_for_docs(page, "report-sales-by-territory")
    table.get_by_role("button", name="Show or hide the nodes below Germany").click()
    expect(table.get_by_text("Munich")).to_be_hidden()
    table.get_by_role("button", name="Show or hide the nodes below Germany").click()
    expect(table.get_by_text("Munich")).to_be_visible()

    page.goto(f"{live_server.url}/reports/sales-by-group/")
    expect(page.locator("#tree-sales")).to_contain_text("Government")
    save_for_docs(page, "report-sales-by-group")

    page.goto(f"{live_server.url}/reports/territory-targets/")
    expect(page.locator("#targets")).to_contain_text("Germany")
    save_for_docs(page, "report-territory-targets")

    page.goto(f"{live_server.url}/reports/sales-person-targets/")
    expect(page.locator("#targets")).to_contain_text("Alice Martin")
    save_for_docs(page, "report-sales-person-targets")

    page.goto(f"{live_server.url}/reports/commission/")
    expect(page.locator("#commission tbody tr")).to_have_count(2)
    save_for_docs(page, "report-commission")

    page.goto(f"{live_server.url}/reports/commission/?date_from=someday")
    expect(page.locator("#report-errors")).to_be_visible()
    expect(page.get_by_text("Enter a valid date.")).to_be_visible()


def test_targets_are_set_on_the_territory_page(logged_in, live_server, sales):
    page = logged_in
    france = Territory.objects.get(name="France")
    page.goto(f"{live_server.url}{reverse('crm:tree', args=['territories'])}")
    page.locator(f"#node-{france.pk}").get_by_role("link", name="Targets").first.click()
    page.fill("#id_amount", "150000")
    page.select_option("#id_distribution", label="Seasonal")
    page.get_by_role("button", name="Save target").click()
    expect(page.locator("#targets")).to_contain_text("150,000.00")
    save_for_docs(page, "territory-targets")
