"""The master data resources: "Export existing" gives the import's headers and values, so a
downloaded file imports back unchanged (CSV and XLSX), with formula-like text neutralised."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from crm.models import CustomerGroup, SalesPartner, SalesPerson, Territory
from dataimport import exports
from dataimport.targets import TARGETS
from pricing.models import Item, ItemPrice, PriceList
from tests.dataimport.test_master_targets import counts, preview_of, problems, supplier_defaults
from tests.factories import SupplierFactory, UserFactory

pytestmark = pytest.mark.django_db

MASTER_TARGETS = [
    "customer_groups",
    "territories",
    "sales_persons",
    "sales_partners",
    "suppliers",
    "price_lists",
    "items",
    "item_prices",
]


@pytest.fixture
def masters(company, other_company):
    """A few records of every kind, with empty optional values and awkward text."""
    retail = PriceList.objects.create(name="=Retail EUR", currency="EUR")
    PriceList.objects.create(name="Buying USD", currency="USD", selling=False, buying=True)
    all_groups = CustomerGroup.objects.get(name="All Customer Groups")
    shops = CustomerGroup.objects.create(name="Shops", parent=all_groups, is_group=True)
    CustomerGroup.objects.create(
        name="+Corner shops",
        parent=shops,
        credit_limit=Decimal("2500.50"),
        credit_days_rule="fixed_days",
        credit_days=14,
        default_price_list=retail,
    )
    europe = Territory.objects.create(
        name="Europe", parent=Territory.objects.get(name="All Territories"), is_group=True
    )
    Territory.objects.create(name="Nordics", parent=europe)
    SalesPerson.objects.create(
        name="Anna",
        parent=SalesPerson.objects.get(name="Sales Team"),
        commission_rate=Decimal("2.5"),
        user=UserFactory(username="anna"),
    )
    SalesPartner.objects.create(
        name="Rhine", partner_type="channel_partner", territory=europe, commission_rate=5
    )
    SalesPartner.objects.create(name="-Dash Agents", partner_type="agent")
    SupplierFactory(code="S-1", name="Nordic Paper", company=company)
    SupplierFactory(code="S-2", name="@Home Parts", company=other_company, disabled=True)
    widget = Item.objects.create(code="WIDGET-01", name="Widget", standard_cost=Decimal("4.2"))
    Item.objects.create(code="BOLT", name="Bolt", unit_of_measure="Box", disabled=True)
    ItemPrice.objects.create(
        price_list=retail, item=widget, rate=Decimal("9.9"), valid_upto=date(2025, 12, 31)
    )
    ItemPrice.objects.create(
        price_list=retail, item=widget, rate=Decimal("10.5"), valid_from=date(2026, 1, 1)
    )


def exported(target, file_format="csv") -> bytes:
    response = exports.export_existing(TARGETS[target], file_format)
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("target", MASTER_TARGETS)
def test_an_exported_file_imports_back_unchanged(masters, company, target, file_format):
    content = exported(target, file_format)

    preview = preview_of(
        target,
        content=content,
        file_name=f"{target}.{file_format}",
        mode="upsert",
        defaults=supplier_defaults(company) if target == "suppliers" else {},
    )

    assert problems(preview) == []
    new, updated, unchanged, invalid = counts(preview)
    assert (new, updated, invalid) == (0, 0, 0) and unchanged > 1


@pytest.mark.parametrize("target", MASTER_TARGETS)
def test_the_export_has_the_import_templates_headers(masters, target):
    header = next(csv.reader(io.StringIO(exported(target).decode())))

    assert header == [column.header for column in TARGETS[target].columns]


def test_exported_values_are_written_the_way_the_import_reads_them(masters):
    rows = list(csv.DictReader(io.StringIO(exported("customer_groups").decode())))
    corner = next(row for row in rows if "Corner" in row["Name"])

    assert corner == {
        "Name": "'+Corner shops",
        "Parent": "Shops",
        "Is group": "no",
        "Credit limit": "2500.50",
        "Credit days rule": "fixed days",
        "Credit days": "14",
        "Price list": "'=Retail EUR",
    }
    top = next(row for row in rows if row["Name"] == "All Customer Groups")
    assert (top["Parent"], top["Is group"]) == ("", "yes")
    partners = list(csv.DictReader(io.StringIO(exported("sales_partners").decode())))
    assert [(p["Name"], p["Partner type"], p["Territory"]) for p in partners] == [
        ("'-Dash Agents", "Agent", ""),
        ("Rhine", "Channel Partner", "Europe"),
    ]
    suppliers = list(csv.DictReader(io.StringIO(exported("suppliers").decode())))
    assert [(s["Code"], s["Buying company"], s["Disabled"]) for s in suppliers] == [
        ("S-1", "DT", "no"),
        ("S-2", "OW", "yes"),
    ]


def test_the_xlsx_export_keeps_numbers_dates_and_text_apart(masters):
    book = load_workbook(io.BytesIO(exported("item_prices", "xlsx")))
    rows = list(book.active.iter_rows(values_only=True))

    assert rows[0] == ("Price list", "Item code", "Rate", "Valid from", "Valid up to")
    assert rows[1][:3] == ("=Retail EUR", "WIDGET-01", 9.9)
    assert rows[1][4].date() == date(2025, 12, 31)
    assert book.active["A2"].data_type == "s"


def test_the_export_view_needs_the_targets_permission(masters, role_client):
    url = reverse("dataimport:export_existing", args=["territories", "csv"])

    response = role_client("Sales Manager").get(url)

    assert response["Content-Disposition"].startswith('attachment; filename="territories-')
    assert b"Nordics,Europe,no" in b"".join(response.streaming_content)
    assert role_client("Sales User").get(url).status_code == 403
    unknown = reverse("dataimport:export_existing", args=["nothing", "csv"])
    assert role_client("Sales Manager").get(unknown).status_code == 404
