"""Importing master data: customer groups, territories, sales persons (trees with parents by
name), sales partners and suppliers, through the import page's analyse-and-write path."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import transaction

from config.importing import Outcome
from crm.models import (
    CustomerGroup,
    PartyLedger,
    SalesPartner,
    SalesPerson,
    SalesTeamMember,
    Supplier,
    Territory,
)
from dataimport import services
from dataimport.models import ImportLog
from tests.factories import (
    CompanyFactory,
    CustomerGroupFactory,
    SupplierFactory,
    TerritoryFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def csv_bytes(*rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def preview_of(
    target, *rows, mode="insert", defaults=None, user=None, content=None, file_name=None
):
    """The dry run of a CSV file of `rows` (the first is the header), or of `content`, as the
    page runs it."""
    data = content if content is not None else csv_bytes(*rows)
    log = ImportLog(
        target=target,
        file_name=file_name or f"{target}.csv",
        content=data,
        mode=mode,
        options={},
        defaults=defaults or {},
    )
    preview = services.analyse(log, user=user)
    assert not preview.match.unknown_headers, "every header of a test file is a column"
    return preview


def import_rows(target, *rows, **kwargs):
    """Plan and, when the plan is valid, write; returns the preview."""
    preview = preview_of(target, *rows, **kwargs)
    if preview.is_valid:
        with transaction.atomic():
            preview.importer.write(preview.plan)
    return preview


def counts(preview) -> tuple[int, int, int, int]:
    c = preview.plan.counts
    return c.new, c.updated, c.unchanged, c.invalid


def problems(preview) -> list[str]:
    return [str(problem) for problem in preview.plan.problems]


def supplier_defaults(company) -> dict:
    return {"company": {"id": company.pk, "name": company.name}}


GROUP_HEADER = ["Name", "Parent", "Is group", "Credit limit", "Credit days rule", "Credit days"]


# --- trees: parents ---------------------------------------------------------------------


def test_customer_groups_import_with_parents_later_in_the_file():
    preview = import_rows(
        "customer_groups",
        GROUP_HEADER,
        ["Retail North", "Retail", "no", "2500", "fixed days", "14"],
        ["Retail South", "retail", "no", "", "", ""],
        ["Retail", "", "yes", "", "end of next month", ""],
    )

    assert problems(preview) == []
    assert counts(preview) == (3, 0, 0, 0)
    retail = CustomerGroup.objects.get(name="Retail")
    assert retail.is_group and retail.parent.name == "All Customer Groups"
    north = CustomerGroup.objects.get(name="Retail North")
    assert (north.parent, north.is_group) == (retail, False)
    assert (north.credit_limit, north.credit_days_rule, north.credit_days) == (
        Decimal("2500.00"),
        "fixed_days",
        14,
    )
    assert CustomerGroup.objects.get(name="Retail South").parent == retail
    assert retail.credit_days_rule == "end_of_next_month"


def test_a_tree_three_levels_deep_in_reverse_order_is_written_parents_first():
    preview = import_rows(
        "territories",
        ["Territory", "Parent territory", "Group"],
        ["Hamburg", "Germany", "no"],
        ["Germany", "Europe", "yes"],
        ["Europe", "All Territories", "yes"],
    )

    assert counts(preview) == (3, 0, 0, 0)
    hamburg = Territory.objects.get(name="Hamburg")
    assert [node.name for node in hamburg.ancestors()] == ["All Territories", "Europe", "Germany"]


def test_a_blank_parent_or_no_parent_column_puts_the_node_under_the_top_of_the_tree():
    import_rows("territories", ["Name"], ["Iceland"])
    import_rows("territories", ["Name", "Parent"], ["Faroe Islands", ""])

    for name in ("Iceland", "Faroe Islands"):
        assert Territory.objects.get(name=name).parent.name == "All Territories"


def test_a_parent_that_is_a_leaf_is_refused_and_nothing_is_written():
    preview = import_rows(
        "customer_groups", ["Name", "Parent"], ["Fine", ""], ["Startups", "Commercial"]
    )

    assert problems(preview) == [
        "row 3, Parent 'Commercial': Commercial is a leaf; choose a group as the parent (or "
        "make it a group with Is group: yes)."
    ]
    assert counts(preview) == (1, 0, 0, 1)
    assert not CustomerGroup.objects.filter(name__in=["Fine", "Startups"]).exists()


def test_a_leaf_made_a_group_by_the_same_file_can_be_a_parent():
    preview = import_rows(
        "customer_groups",
        ["Name", "Parent", "Is group"],
        ["Startups", "Commercial", "no"],
        ["Commercial", "All Customer Groups", "yes"],
        mode="upsert",
    )

    assert problems(preview) == []
    assert counts(preview) == (1, 1, 0, 0)
    assert CustomerGroup.objects.get(name="Startups").parent.name == "Commercial"
    assert CustomerGroup.objects.get(name="Commercial").is_group


def test_an_unknown_parent_is_refused_naming_the_column_and_value():
    preview = preview_of("territories", ["Name", "Parent"], ["Lyon", "Gaul"])

    assert problems(preview) == [
        "row 2, Parent 'Gaul': no territory has this name, in the database or in this file."
    ]


def test_a_circle_of_parents_inside_the_file_is_refused_naming_its_rows():
    preview = import_rows(
        "territories",
        ["Name", "Parent", "Is group"],
        ["North", "East", "yes"],
        ["East", "South", "yes"],
        ["South", "North", "yes"],
        ["West", "", "yes"],
    )

    assert counts(preview) == (1, 0, 0, 3)
    message = (
        "the parents of rows 2, 3, 4 go round in a circle (North → East → South → North); "
        "give one of them a parent outside it."
    )
    assert problems(preview) == [
        f"row 2, Parent 'East': {message}",
        f"row 3, Parent 'South': {message}",
        f"row 4, Parent 'North': {message}",
    ]
    assert not Territory.objects.filter(name="West").exists()


def test_a_node_cannot_be_its_own_parent():
    preview = preview_of("territories", ["Name", "Parent", "Is group"], ["Loop", "loop", "yes"])

    assert problems(preview) == ["row 2, Parent 'loop': loop cannot be its own parent."]


def test_moving_an_existing_group_under_its_own_child_is_a_circle():
    europe = TerritoryFactory(name="Europe", is_group=True)
    TerritoryFactory(name="Germany", parent=europe, is_group=True)

    preview = preview_of("territories", ["Name", "Parent"], ["Europe", "Germany"], mode="update")

    assert problems(preview) == [
        "row 2, Parent 'Germany': the parents of rows 2 go round in a circle (Europe → Germany "
        "→ Europe); give one of them a parent outside it."
    ]


def test_a_leaf_with_customers_cannot_become_a_group(customer):
    preview = preview_of(
        "customer_groups", ["Name", "Is group"], ["Commercial", "yes"], mode="update"
    )

    assert problems(preview) == [
        "row 2, Is group 'yes': Commercial has 1 customer(s); move them before making it a group."
    ]


def test_a_group_with_children_cannot_become_a_leaf():
    europe = TerritoryFactory(name="Europe", is_group=True)
    TerritoryFactory(name="Spain", parent=europe)

    preview = preview_of("territories", ["Name", "Is group"], ["Europe", "no"], mode="update")

    assert problems(preview) == [
        "row 2, Is group 'no': Europe has child nodes (Spain...); it must stay a group."
    ]


def test_a_group_whose_children_the_file_moves_away_can_become_a_leaf():
    europe = TerritoryFactory(name="Europe", is_group=True)
    TerritoryFactory(name="Spain", parent=europe)

    preview = import_rows(
        "territories",
        ["Name", "Parent", "Is group"],
        ["Europe", "All Territories", "no"],
        ["Spain", "All Territories", "no"],
        mode="update",
    )

    assert problems(preview) == []
    assert Territory.objects.get(name="Spain").parent.name == "All Territories"
    assert not Territory.objects.get(name="Europe").is_group


def test_the_top_of_the_tree_stays_a_group_and_cannot_be_moved():
    TerritoryFactory(name="Elsewhere", is_group=True)

    preview = preview_of(
        "territories",
        ["Name", "Parent", "Is group"],
        ["All Territories", "Elsewhere", "no"],
        mode="update",
    )

    assert problems(preview) == [
        "row 2, Parent 'Elsewhere': All Territories is the top of the tree; it cannot have a "
        "parent. Leave it empty.",
    ]


# --- trees: keys, modes and repeats -----------------------------------------------------


def test_names_are_matched_without_case_and_a_repeat_names_both_rows():
    preview = preview_of("territories", ["Name"], ["Benelux"], ["BENELUX"])

    assert problems(preview) == [
        "row 3, Name 'BENELUX': the same name is on row 2; each territory may appear once."
    ]


def test_insert_mode_refuses_an_existing_name():
    preview = preview_of("customer_groups", ["Name"], ["commercial"])

    assert problems(preview) == [
        "row 2, Name 'commercial': A customer group with the name Commercial already exists; "
        "choose update or insert-or-update."
    ]


def test_update_mode_changes_only_the_given_columns_and_refuses_unknown_names():
    group = CustomerGroupFactory(name="Retail", credit_limit=Decimal(100))

    preview = import_rows(
        "customer_groups", ["Name", "Credit limit"], ["retail", "750.50"], mode="update"
    )
    assert counts(preview) == (0, 1, 0, 0)
    group.refresh_from_db()
    assert (group.name, group.credit_limit, group.parent.name) == (
        "Retail",
        Decimal("750.50"),
        "All Customer Groups",
    )

    unknown = preview_of("customer_groups", ["Name", "Credit limit"], ["Nope", "1"], mode="update")
    assert problems(unknown) == [
        "row 2, Name 'Nope': no customer group has this name; use insert-or-update to add it."
    ]


def test_importing_the_same_file_again_finds_every_row_unchanged():
    rows = [
        GROUP_HEADER,
        ["Retail", "", "yes", "", "", ""],
        ["Retail North", "Retail", "no", "2500", "fixed days", "14"],
    ]
    import_rows("customer_groups", *rows)

    again = import_rows("customer_groups", *rows, mode="upsert")

    assert counts(again) == (0, 0, 2, 0)
    assert again.plan.rows == []


def test_credit_days_must_match_the_rule():
    preview = preview_of(
        "customer_groups",
        GROUP_HEADER,
        ["A", "", "no", "", "fixed days", ""],
        ["B", "", "no", "", "", "30"],
        ["C", "", "no", "-5", "sometimes", "x"],
    )

    assert problems(preview) == [
        "row 2, Credit days: give the number of days for fixed-days terms.",
        "row 3, Credit days '30': credit days apply only to the fixed days rule; set Credit days "
        "rule to fixed days or empty this cell.",
        "row 4, Credit limit '-5': must be at least 0.",
        "row 4, Credit days rule 'sometimes': use one of: Fixed days after the invoice date, "
        "Last day of the next month.",
        "row 4, Credit days 'x': use a whole number from 0 to 3650.",
    ]


def test_a_customer_groups_price_list_is_found_by_name():
    from pricing.models import PriceList

    price_list = PriceList.objects.create(name="Retail EUR", currency="EUR")

    preview = import_rows(
        "customer_groups", ["Name", "Price list"], ["Shops", "retail eur"], ["Bars", "Wholesale"]
    )

    assert problems(preview) == [
        "row 3, Price list 'Wholesale': no price list has this name; check the spelling, or "
        "add the price list first."
    ]
    import_rows("customer_groups", ["Name", "Price list"], ["Shops", "retail eur"])
    assert CustomerGroup.objects.get(name="Shops").default_price_list == price_list


# --- sales persons ------------------------------------------------------------------------


PERSON_HEADER = ["Name", "Parent", "Is group", "Commission rate", "Username"]


def test_sales_persons_import_with_their_user_and_commission():
    anna = UserFactory(username="anna")

    preview = import_rows(
        "sales_persons",
        PERSON_HEADER,
        ["Anna Schmidt", "North Team", "no", "2.5", "ANNA"],
        ["North Team", "", "yes", "", ""],
    )

    assert problems(preview) == []
    person = SalesPerson.objects.get(name="Anna Schmidt")
    assert (person.user, person.commission_rate, person.parent.name) == (
        anna,
        Decimal("2.5"),
        "North Team",
    )
    assert SalesPerson.objects.get(name="North Team").commission_rate == 0


def test_a_sales_persons_user_must_exist_and_belong_to_one_sales_person():
    UserFactory(username="anna")
    bob = UserFactory(username="bob")
    SalesPerson.objects.create(
        name="Bob", user=bob, parent=SalesPerson.objects.get(name="Sales Team")
    )

    preview = preview_of(
        "sales_persons",
        PERSON_HEADER,
        ["A", "", "no", "1", "anna"],
        ["B", "", "no", "1", "anna"],
        ["C", "", "no", "1", "bob"],
        ["D", "", "no", "101", "nobody"],
    )

    assert problems(preview) == [
        "row 3, Username 'anna': the same user is on row 2; a user can be one sales person only.",
        "row 4, Username 'bob': this user is already sales person Bob.",
        "row 5, Commission rate '101': must be at most 100.",
        "row 5, Username 'nobody': no user has this username; check the spelling, or add the "
        "user first.",
    ]


def test_a_sales_person_with_customers_cannot_become_a_group(customer):
    person = SalesPerson.objects.create(
        name="Carla", parent=SalesPerson.objects.get(name="Sales Team")
    )
    SalesTeamMember.objects.create(customer=customer, sales_person=person, contribution=100)

    preview = preview_of("sales_persons", ["Name", "Is group"], ["Carla", "yes"], mode="update")

    assert problems(preview) == [
        "row 2, Is group 'yes': Carla has 1 customer(s); move them before making it a group."
    ]


# --- sales partners -----------------------------------------------------------------------


def test_sales_partners_import_with_friendly_type_words_and_territory():
    preview = import_rows(
        "sales_partners",
        ["Partner name", "Type", "Territory", "Commission"],
        ["Rhine Distribution", "distributor", "rest of the world", "5"],
        ["Acme Channel", "Channel Partner", "", ""],
        ["Impl GmbH", "implementation-partner", "", "7.125"],
    )

    assert problems(preview) == []
    rhine = SalesPartner.objects.get(name="Rhine Distribution")
    assert (rhine.partner_type, rhine.territory.name, rhine.commission_rate) == (
        "distributor",
        "Rest of the World",
        Decimal(5),
    )
    assert SalesPartner.objects.get(name="Acme Channel").partner_type == "channel_partner"
    assert SalesPartner.objects.get(name="Impl GmbH").partner_type == "implementation_partner"
    history = rhine.history.get()
    assert (history.history_type, history.name) == ("+", "Rhine Distribution")


def test_a_sales_partner_needs_a_known_type_and_territory():
    preview = preview_of(
        "sales_partners",
        ["Name", "Partner type", "Territory", "Commission rate"],
        ["A", "", "", ""],
        ["B", "franchise", "Atlantis", "-1"],
    )

    assert problems(preview) == [
        "row 2, Partner type: a partner type is required.",
        "row 3, Partner type 'franchise': use one of: Channel Partner, Distributor, Dealer, "
        "Agent, Retailer, Reseller, Implementation Partner.",
        "row 3, Territory 'Atlantis': no territory has this name; check the spelling, or add "
        "the territory first.",
        "row 3, Commission rate '-1': must be at least 0.",
    ]


def test_sales_partner_updates_write_changed_history():
    partner = SalesPartner.objects.create(name="Agent Smith", partner_type="agent")
    clerk = UserFactory(username="clerk")

    preview = import_rows(
        "sales_partners",
        ["Name", "Commission rate"],
        ["agent smith", "12.5"],
        mode="update",
        user=clerk,
    )

    assert counts(preview) == (0, 1, 0, 0)
    partner.refresh_from_db()
    assert (partner.partner_type, partner.commission_rate) == ("agent", Decimal("12.5"))
    latest = partner.history.first()
    assert (latest.history_type, latest.history_user, latest.commission_rate) == (
        "~",
        clerk,
        Decimal("12.5"),
    )


# --- suppliers ----------------------------------------------------------------------------


SUPPLIER_HEADER = ["Code", "Supplier name", "Type", "Buying company", "Disabled"]


def test_new_suppliers_get_codes_and_payable_ledgers_in_their_company(company, other_company):
    clerk = UserFactory(username="clerk")

    preview = import_rows(
        "suppliers",
        SUPPLIER_HEADER,
        ["", "Nordic Paper AB", "company", "", "no"],
        ["ACME-1", "Acme Parts", "Individual", "ow", "yes"],
        defaults=supplier_defaults(company),
        user=clerk,
    )

    assert problems(preview) == []
    nordic = Supplier.objects.get(name="Nordic Paper AB")
    acme = Supplier.objects.get(code="ACME-1")
    assert nordic.code.startswith("SUPP-") and nordic.company == company
    assert (acme.company, acme.supplier_type, acme.disabled) == (other_company, "individual", True)
    ledger = PartyLedger.objects.get(supplier=acme)
    assert (ledger.company, ledger.account.name) == (other_company, "Acme Parts - OW")
    assert ledger.account.parent == other_company.payable_group
    assert PartyLedger.objects.filter(supplier=nordic, company=company).exists()
    history = acme.history.get()
    assert (history.history_type, history.history_user) == ("+", clerk)
    assert sorted(preview.plan.new_keys(10)) == sorted([nordic.code, "ACME-1"])


def test_renaming_a_supplier_by_import_renames_its_ledger(company):
    supplier = SupplierFactory(code="S-1", name="Old Name", company=company)

    preview = import_rows(
        "suppliers",
        ["Code", "Name"],
        ["s-1", "New Name"],
        mode="update",
        defaults=supplier_defaults(company),
    )

    assert counts(preview) == (0, 1, 0, 0)
    ledger = PartyLedger.objects.get(supplier=supplier)
    assert ledger.account.name == "New Name - DT"
    assert supplier.history.first().history_type == "~"


def test_a_supplier_company_without_a_payable_group_is_refused(company):
    bare = CompanyFactory(name="Bare Ltd", abbreviation="BL")
    bare.payable_group = None
    bare.save(update_fields=["payable_group"])

    preview = preview_of(
        "suppliers",
        ["Name", "Buying company"],
        ["Paper", "Bare Ltd"],
        ["Ink", "Nowhere Inc"],
        defaults=supplier_defaults(company),
    )

    assert problems(preview) == [
        "row 2, Buying company 'Bare Ltd': Company Bare Ltd has no payable group. Set it first "
        "(Companies > Bare Ltd > Payable group).",
        "row 3, Buying company 'Nowhere Inc': no company has this name or abbreviation; check "
        "the spelling, or add the company first.",
    ]


def test_supplier_codes_repeat_and_update_mode_needs_a_code(company):
    repeat = preview_of(
        "suppliers",
        ["Code", "Name"],
        ["X-1", "A"],
        ["x-1", "B"],
        defaults=supplier_defaults(company),
    )
    assert problems(repeat) == [
        "row 3, Code 'x-1': the same code is on row 2; each supplier may appear once."
    ]

    update = preview_of(
        "suppliers", ["Code", "Name"], ["", "A"], mode="update", defaults=supplier_defaults(company)
    )
    assert problems(update) == ["row 2, Code: give the code of the supplier to update."]
    assert update.plan.counts.invalid == 1
    assert Outcome.INVALID not in {row.outcome for row in update.plan.rows}
