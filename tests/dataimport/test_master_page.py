"""The import page with master data in the test client: the targets a role may import, their
templates, and upload, preview and import of territories and suppliers."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.models import PartyLedger, Supplier, Territory
from dataimport.models import ImportLog
from dataimport.targets import TARGETS
from pricing.models import Item, PriceList
from tests.dataimport.test_master_targets import csv_bytes, preview_of, problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(role_client):
    return role_client("Sales Manager")


def upload(client, target, content: bytes, mode="insert", **defaults):
    return client.post(
        reverse("dataimport:start"),
        {
            "target": target,
            "file": SimpleUploadedFile(f"{target}.csv", content),
            "mode": mode,
            "encoding": "",
            "delimiter": "",
            **{f"defaults-{name}": value for name, value in defaults.items()},
        },
    )


def test_a_sales_manager_may_import_customers_and_every_master_target(manager):
    response = manager.get(reverse("dataimport:start"))

    offered = {name for name, _ in response.context["form"].fields["target"].choices}
    assert offered >= {
        "customers",
        "customer_groups",
        "territories",
        "sales_persons",
        "sales_partners",
        "suppliers",
        "price_lists",
        "items",
        "item_prices",
    }


@pytest.mark.parametrize(
    "target",
    [
        "customer_groups",
        "territories",
        "sales_persons",
        "sales_partners",
        "suppliers",
        "price_lists",
        "items",
        "item_prices",
    ],
)
def test_each_templates_example_row_imports(manager, company, target):
    if target == "item_prices":  # its example prices the example item in the example list
        PriceList.objects.create(name="Wholesale EUR", currency="EUR")
        Item.objects.create(code="WIDGET-01", name="Steel widget")
    response = manager.get(reverse("dataimport:template"), {"target": target, "format": "csv"})
    header, example = list(csv.reader(io.StringIO(response.content.decode())))
    assert header == [column.header for column in TARGETS[target].columns]
    assert len(example) == len(header)
    defaults = {"company": {"id": company.pk, "name": company.name}}

    preview = preview_of(target, content=response.content, mode="upsert", defaults=defaults)

    assert problems(preview) == []
    assert preview.plan.counts.new == 1


def test_territories_upload_preview_and_import_through_the_page(manager):
    content = csv_bytes(
        ["Territory", "Parent", "Is group"],
        ["Hamburg", "Germany", "no"],
        ["Germany", "", "yes"],
    )

    response = upload(manager, "territories", content)

    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.is_valid and preview.plan.counts.new == 2
    assert not Territory.objects.filter(name="Germany").exists()
    log = response.context["log"]

    result = manager.post(reverse("dataimport:log", args=[log.pk]), follow=True)

    log.refresh_from_db()
    assert log.status == ImportLog.Status.IMPORTED and log.new == 2
    hamburg = Territory.objects.get(name="Hamburg")
    assert hamburg.parent.name == "Germany"
    links = dict(result.context["links"])
    assert links["Hamburg"] == f"{reverse('crm:tree', args=['territories'])}#node-{hamburg.pk}"


def test_a_preview_with_a_circle_lists_it_and_cannot_be_imported(manager):
    content = csv_bytes(["Name", "Parent", "Is group"], ["A", "B", "yes"], ["B", "A", "yes"])

    response = upload(manager, "territories", content)

    preview = response.context["preview"]
    assert not preview.is_valid and preview.plan.counts.invalid == 2
    assert "go round in a circle (A → B → A)" in response.content.decode()
    manager.post(reverse("dataimport:log", args=[response.context["log"].pk]))
    assert not Territory.objects.filter(name__in=["A", "B"]).exists()


def test_suppliers_import_through_the_page_with_the_default_company(manager, company):
    content = csv_bytes(["Supplier name", "Type"], ["Nordic Paper AB", "Company"])

    response = upload(manager, "suppliers", content, company=company.pk)
    log = response.context["log"]
    assert log.defaults == {"company": {"id": company.pk, "name": company.name}}
    assert response.context["preview"].is_valid

    result = manager.post(reverse("dataimport:log", args=[log.pk]), follow=True)

    supplier = Supplier.objects.get(name="Nordic Paper AB")
    assert supplier.company == company
    assert PartyLedger.objects.filter(supplier=supplier, company=company).exists()
    assert dict(result.context["links"]) == {
        supplier.code: reverse("crm:supplier_detail", args=[supplier.pk])
    }
    assert ("Buying company", company.name) in result.context["defaults"]


def test_the_supplier_upload_needs_a_default_company(manager, company):
    response = upload(manager, "suppliers", csv_bytes(["Name"], ["Paper"]))

    assert response.context["defaults"].errors["company"] == ["This field is required."]
    assert not ImportLog.objects.exists()
