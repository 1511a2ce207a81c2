"""Sales targets come in by import too: a year's amount per territory or sales person."""

from decimal import Decimal

import pytest
from django.urls import reverse

from analytics.models import SalesTarget
from analytics.services import create_distribution
from crm.models import SalesPerson
from dataimport.targets import TARGETS
from tests.dataimport.test_master_targets import counts, import_rows, preview_of, problems
from tests.factories import TerritoryFactory

pytestmark = pytest.mark.django_db

HEADER = ["Company", "Year", "Territory", "Sales person", "Amount", "Monthly distribution"]


@pytest.fixture
def owners(company):
    germany = TerritoryFactory(name="Germany")
    anna = SalesPerson.objects.create(
        name="Anna Schmidt", parent=SalesPerson.objects.get(parent=None)
    )
    create_distribution(name="Retail season", percentages=[5] * 8 + [10, 10, 15, 25])
    return germany, anna


def test_targets_of_territories_and_sales_persons_are_added(company, owners):
    germany, anna = owners
    preview = import_rows(
        "sales_targets",
        HEADER,
        ["DT", "2027", "germany", "", "250,000.00", "Retail season"],
        ["Demo Trading", "2027", "", "ANNA SCHMIDT", "80000", ""],
    )
    assert counts(preview) == (2, 0, 0, 0)
    assert preview.plan.new_keys(5) == ["DT › 2027 › Germany", "DT › 2027 › Anna Schmidt"]
    territory = SalesTarget.objects.get(territory=germany)
    assert (territory.company, territory.fiscal_year, territory.amount) == (
        company,
        2027,
        Decimal("250000.00"),
    )
    assert territory.distribution.name == "Retail season"
    person = SalesTarget.objects.get(sales_person=anna)
    assert person.distribution is None and person.amount == Decimal("80000")


def test_importing_the_file_again_changes_only_what_changed(company, owners):
    rows = [
        ["DT", "2027", "Germany", "", "250000", ""],
        ["DT", "2027", "", "Anna Schmidt", "1", ""],
    ]
    import_rows("sales_targets", HEADER, *rows)

    rows[1][4] = "90000"
    again = import_rows("sales_targets", HEADER, *rows, mode="upsert")

    assert counts(again) == (0, 1, 1, 0)
    assert SalesTarget.objects.get(sales_person__name="Anna Schmidt").amount == Decimal(90000)
    next_year = import_rows("sales_targets", HEADER, ["DT", "2028", "Germany", "", "1", ""])
    assert counts(next_year) == (1, 0, 0, 0) and SalesTarget.objects.count() == 3


@pytest.mark.parametrize(
    ("row", "column", "value", "message"),
    [
        (["DT", "2027", "", "", "1", ""], "Territory", "", "give a territory or a sales person."),
        (["DT", "2027", "Germany", "Anna Schmidt", "1", ""], "Territory", "Germany",
         "give a territory or a sales person, not both: a target has one owner."),
        (["DT", "1999", "Germany", "", "1", ""], "Year", "1999",
         "use a whole number from 2000 to 2100."),
        (["DT", "2027", "Atlantis", "", "1", ""], "Territory", "Atlantis",
         "no territory has this name; check the spelling, or add the territory first."),
        (["XX", "2027", "Germany", "", "1", ""], "Company", "XX",
         "no company has this name or abbreviation; check the spelling, or add the company first."),
        (["DT", "2027", "Germany", "", "-5", ""], "Amount", "-5", "must be at least 0."),
        (["DT", "2027", "Germany", "", "1", "Winter"], "Monthly distribution", "Winter",
         "no monthly distribution has this name; check the spelling, or add the monthly "
         "distribution first."),
    ],
)  # fmt: skip
def test_a_bad_row_names_its_column_and_value_and_nothing_is_written(
    company, owners, row, column, value, message
):
    preview = import_rows("sales_targets", HEADER, row)
    found = [(p.row, p.column, p.value, p.message) for p in preview.plan.problems]
    assert found == [(2, column, value, message)]
    assert not SalesTarget.objects.exists()


def test_two_rows_for_one_target_name_both(company, owners):
    preview = preview_of(
        "sales_targets",
        HEADER,
        ["DT", "2027", "Germany", "", "1", ""],
        ["Demo Trading", "2027", "GERMANY", "", "2", ""],
    )
    assert counts(preview)[3] == 1
    assert "row 2" in problems(preview)[0]


def test_the_page_offers_targets_to_sales_managers_and_links_the_owner(role_client, owners):
    germany, _ = owners
    manager = role_client("Sales Manager")
    start = manager.get(reverse("dataimport:start"), {"target": "sales_targets"})
    assert start.context["target"].name == "sales_targets"
    preview = import_rows("sales_targets", HEADER, ["DT", "2027", "Germany", "", "1", ""])

    links = TARGETS["sales_targets"].links(preview.plan.new_keys(5))
    assert links == [
        (
            "DT › 2027 › Germany",
            reverse("analytics:tree_targets", kwargs={"kind": "territories", "pk": germany.pk}),
        )
    ]
    assert (
        role_client("Sales User")
        .get(reverse("dataimport:template"), {"target": "sales_targets"})
        .status_code
        == 403
    )
