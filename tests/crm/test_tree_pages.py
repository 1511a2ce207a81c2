"""The tree pages of customer groups, territories and sales persons: see, add, edit, move,
delete, and every refusal with its message."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm import services
from crm.models import Customer, CustomerGroup, SalesPartner, SalesPerson, Territory
from tests.factories import CustomerFactory, TerritoryFactory, UserFactory
from tests.helpers import requires_postgresql, run_concurrently

pytestmark = pytest.mark.django_db

MODELS = {"customer-groups": CustomerGroup, "territories": Territory, "sales-persons": SalesPerson}
KINDS = list(MODELS)


def url(name, kind="territories", node=None):
    return reverse(f"crm:{name}", args=[kind] if node is None else [kind, node.pk])


def territory(name, parent="All Territories", *, is_group=False):
    return TerritoryFactory(name=name, parent=Territory.objects.get(name=parent), is_group=is_group)


def sales_person(name, parent="Sales Team", *, is_group=False, **fields):
    return SalesPerson.objects.create(
        name=name, parent=SalesPerson.objects.get(name=parent), is_group=is_group, **fields
    )


@pytest.fixture
def europe():
    """All Territories › Europe › Western Europe › France, and Europe › Spain."""
    europe = territory("Europe", is_group=True)
    territory("Western Europe", "Europe", is_group=True)
    territory("France", "Western Europe")
    territory("Spain", "Europe")
    return europe


@pytest.fixture
def manager(role_client):
    return role_client("Sales Manager")


def errors_of(response, field):
    return response.context["form"].errors.get(field, [])


# --- permissions --------------------------------------------------------------------------

ACTION_PAGES = ["tree_add_child", "tree_rename", "tree_move", "tree_delete"]


@pytest.mark.parametrize("name", ["tree", *ACTION_PAGES])
def test_every_tree_page_needs_login(client, name):
    root = Territory.objects.get(name="All Territories")
    response = client.get(url(name, node=None if name == "tree" else root))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("kind", KINDS)
def test_a_sales_user_sees_every_tree_without_actions(role_client, kind):
    response = role_client("Sales User").get(url("tree", kind))
    assert response.status_code == 200
    assert response.context["can"] == {"add": False, "change": False, "delete": False}
    assert b"Add child" not in response.content


@pytest.mark.parametrize("name", ACTION_PAGES)
def test_a_sales_user_may_not_add_edit_move_or_delete(role_client, europe, name):
    client = role_client("Sales User")
    spain = Territory.objects.get(name="Spain")
    node = europe if name == "tree_add_child" else spain
    assert client.get(url(name, node=node)).status_code == 403
    form = {"name": "Iberia", "is_group": "on", "parent": europe.pk}
    assert client.post(url(name, node=node), form).status_code == 403
    assert Territory.objects.filter(name="Spain", parent=europe, is_group=False).exists()
    assert not Territory.objects.filter(name="Iberia").exists()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ACTION_PAGES)
def test_a_sales_manager_may_open_every_action(manager, kind, name):
    model = MODELS[kind]
    group = model.objects.filter(is_group=True).first()
    node = group if name == "tree_add_child" else model.objects.create(name="Spare", parent=group)
    assert manager.get(url(name, kind, node)).status_code == 200


def test_a_user_without_the_view_permission_gets_403(role_client):
    assert role_client().get(url("tree")).status_code == 403


@pytest.mark.parametrize("name", ["tree", *ACTION_PAGES])
def test_an_unknown_tree_is_not_found(manager, name):
    node = Territory.objects.get(name="All Territories")
    response = manager.get(url(name, "planets", None if name == "tree" else node))
    assert response.status_code == 404


def test_a_missing_node_is_not_found(manager):
    missing = Territory.objects.order_by("pk").last().pk + 1
    assert manager.get(reverse("crm:tree_rename", args=["territories", missing])).status_code == 404


# --- the tree page ------------------------------------------------------------------------


def test_the_tree_lists_nodes_depth_first_with_depth_and_group_marks(role_client, europe):
    response = role_client("Sales User").get(url("tree"))
    rows = [(row.node.name, row.depth, row.node.is_group) for row in response.context["rows"]]
    assert rows == [
        ("All Territories", 0, True),
        ("Europe", 1, True),
        ("Spain", 2, False),
        ("Western Europe", 2, True),
        ("France", 3, False),
        ("Rest of the World", 1, False),
    ]
    html = response.content.decode()
    assert 'style="--tree-depth: 3"' in html
    assert html.index("Western Europe") < html.index("France") < html.index("Rest of the World")


def test_a_group_counts_every_customer_below_it(role_client, europe, company):
    CustomerFactory.create_batch(2, company=company, territory=Territory.objects.get(name="France"))
    CustomerFactory(company=company, territory=Territory.objects.get(name="Spain"))
    CustomerFactory(company=company)  # Rest of the World
    response = role_client("Sales User").get(url("tree"))
    counts = {row.node.name: row.customers for row in response.context["rows"]}
    assert counts == {
        "All Territories": 4,
        "Europe": 3,
        "Spain": 1,
        "Western Europe": 2,
        "France": 2,
        "Rest of the World": 1,
    }
    france = Territory.objects.get(name="France")
    assert f'href="/customers/?territory={france.pk}"' in response.content.decode()


def test_customer_group_counts_link_to_the_customer_list(role_client, customer):
    response = role_client("Sales User").get(url("tree", "customer-groups"))
    counts = {row.node.name: row.customers for row in response.context["rows"]}
    assert counts["All Customer Groups"] == counts["Commercial"] == 1
    assert counts["Government"] == 0
    group = customer.customer_group
    assert f'href="/customers/?customer_group={group.pk}"' in response.content.decode()


def test_a_sales_person_group_counts_a_shared_customer_once(role_client, customer, company):
    europe = sales_person("Europe Sales", is_group=True)
    anna = sales_person("Anna", "Europe Sales")
    pierre = sales_person("Pierre", "Europe Sales")
    services.set_sales_team(customer=customer, members=[(anna, 60), (pierre, 40)])
    other = CustomerFactory(company=company)
    services.set_sales_team(customer=other, members=[(pierre, 100)])
    response = role_client("Sales User").get(url("tree", "sales-persons"))
    counts = {row.node.name: row.customers for row in response.context["rows"]}
    assert counts == {"Sales Team": 2, "Europe Sales": 2, "Anna": 1, "Pierre": 2}
    html = response.content.decode()
    assert f'href="/customers/?sales_person={europe.pk}"' in html


def test_a_sales_manager_sees_the_actions_each_node_allows(manager, europe):
    html = manager.get(url("tree")).content.decode()
    root = Territory.objects.get(name="All Territories")
    spain = Territory.objects.get(name="Spain")
    assert url("tree_add_child", node=europe) in html
    assert url("tree_add_child", node=spain) not in html  # a leaf holds no nodes
    assert url("tree_rename", node=root) in html
    assert url("tree_move", node=root) not in html  # the root stays where it is
    assert url("tree_delete", node=root) not in html
    assert url("tree_move", node=spain) in html and url("tree_delete", node=spain) in html


def grow(model, count, company):
    """Grow the tree to about `count` nodes: groups of four leaves, each leaf with a customer."""
    root = model.objects.get(parent=None)
    while (size := model.objects.count()) < count:
        group = model.objects.create(name=f"Region {size}", parent=root, is_group=True)
        for index in range(4):
            leaf = model.objects.create(name=f"Region {size}.{index}", parent=group)
            give_a_customer(leaf, company)


def give_a_customer(leaf, company):
    if isinstance(leaf, SalesPerson):
        services.set_sales_team(customer=CustomerFactory(company=company), members=[(leaf, 100)])
    else:
        CustomerFactory(company=company, **{leaf.customers.field.name: leaf})


@pytest.mark.parametrize("kind", KINDS)
def test_the_tree_page_costs_the_same_queries_with_10_or_100_nodes(
    role_client, company, kind, django_assert_max_num_queries
):
    client = role_client("Sales User")
    grow(MODELS[kind], 10, company)
    with django_assert_max_num_queries(8) as small:
        client.get(url("tree", kind))
    grow(MODELS[kind], 100, company)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("tree", kind))
    assert len(response.context["rows"]) >= 100
    assert response.context["rows"][0].customers == Customer.objects.count()


# --- add a child --------------------------------------------------------------------------


def test_a_sales_manager_adds_a_leaf_under_a_group(manager, europe):
    response = manager.post(url("tree_add_child", node=europe), {"name": "Italy"}, follow=True)
    italy = Territory.objects.get(name="Italy")
    assert italy.parent == europe and not italy.is_group
    assert response.redirect_chain[-1][0] == f"/trees/territories/#node-{italy.pk}"
    assert "Added territory Italy under Europe." in response.content.decode()


def test_a_sales_manager_adds_a_group(manager, europe):
    manager.post(url("tree_add_child", node=europe), {"name": "Nordics", "is_group": "on"})
    assert Territory.objects.get(name="Nordics").is_group


def test_adding_under_a_leaf_is_refused(manager, europe):
    spain = Territory.objects.get(name="Spain")
    response = manager.post(url("tree_add_child", node=spain), {"name": "Catalonia"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Spain is a leaf; choose a group as the parent."
    ]
    assert "Spain is a leaf; choose a group as the parent." in response.content.decode()
    assert not Territory.objects.filter(name="Catalonia").exists()


def test_adding_a_taken_name_says_so_next_to_the_name(manager, europe):
    response = manager.post(url("tree_add_child", node=europe), {"name": "France"})
    assert errors_of(response, "name") == [
        "There is already a territory named France; choose another name."
    ]
    assert Territory.objects.filter(name="France").count() == 1


def test_adding_without_a_name_writes_nothing(manager, europe):
    before = Territory.objects.count()
    response = manager.post(url("tree_add_child", node=europe), {"name": "  "})
    assert errors_of(response, "name") == ["This field is required."]
    assert Territory.objects.count() == before


def test_a_sales_person_is_added_with_a_user_and_a_commission(manager):
    user = UserFactory(username="anna")
    team = SalesPerson.objects.get(name="Sales Team")
    form = {"name": "Anna Schmidt", "user": user.pk, "commission_rate": "7.5"}
    manager.post(url("tree_add_child", "sales-persons", team), form)
    anna = SalesPerson.objects.get(name="Anna Schmidt")
    assert (anna.parent, anna.user, anna.commission_rate) == (team, user, Decimal("7.5"))


def test_a_commission_above_100_percent_is_refused(manager):
    team = SalesPerson.objects.get(name="Sales Team")
    form = {"name": "Greedy", "commission_rate": "150"}
    response = manager.post(url("tree_add_child", "sales-persons", team), form)
    assert errors_of(response, "commission_rate") == ["Enter a percentage from 0 to 100."]
    assert not SalesPerson.objects.filter(name="Greedy").exists()


# --- edit: rename, group or leaf, a sales person's details -------------------------------


def test_a_sales_manager_renames_a_node(manager, europe):
    response = manager.post(url("tree_rename", node=europe), {"name": "Europa", "is_group": "on"})
    assert response.status_code == 302
    europe.refresh_from_db()
    assert europe.name == "Europa" and europe.is_group


def test_the_edit_form_starts_from_the_node(manager):
    anna = sales_person("Anna", commission_rate=Decimal("7.5"))
    form = manager.get(url("tree_rename", "sales-persons", anna)).context["form"]
    assert form.initial == {"name": "Anna", "is_group": False, "user": None, "commission_rate": 7.5}
    assert 'value="7.5"' in str(form["commission_rate"])


def test_renaming_to_a_taken_name_says_so_next_to_the_name(manager, europe):
    spain = Territory.objects.get(name="Spain")
    response = manager.post(url("tree_rename", node=spain), {"name": "France"})
    assert errors_of(response, "name") == [
        "There is already a territory named France; choose another name."
    ]
    spain.refresh_from_db()
    assert spain.name == "Spain"


def test_a_node_with_customers_cannot_become_a_group(manager, customer):
    group = customer.customer_group
    form = {"name": "Commercial", "is_group": "on"}
    response = manager.post(url("tree_rename", "customer-groups", group), form)
    assert errors_of(response, "is_group") == [
        "Commercial has 1 customer(s); move them before making it a group."
    ]
    group.refresh_from_db()
    assert not group.is_group


def test_a_node_with_children_cannot_become_a_leaf(manager, europe):
    response = manager.post(url("tree_rename", node=europe), {"name": "Europe"})
    assert errors_of(response, "is_group") == ["Europe has child nodes; it must stay a group."]
    europe.refresh_from_db()
    assert europe.is_group


def test_the_root_cannot_become_a_leaf_even_when_empty(manager):
    root = SalesPerson.objects.get(name="Sales Team")
    form = {"name": "Sales Team", "commission_rate": "0"}
    response = manager.post(url("tree_rename", "sales-persons", root), form)
    assert errors_of(response, "is_group") == [
        "Sales Team is the root of the tree; it must stay a group."
    ]
    root.refresh_from_db()
    assert root.is_group


def test_a_user_can_be_one_sales_person_only(manager):
    user = UserFactory(username="anna")
    sales_person("Anna", user=user)
    pierre = sales_person("Pierre")
    form = {"name": "Pierre", "user": user.pk, "commission_rate": "0"}
    response = manager.post(url("tree_rename", "sales-persons", pierre), form)
    assert errors_of(response, "user") == ["Sales person with this User already exists."]
    pierre.refresh_from_db()
    assert pierre.user is None


# --- move -------------------------------------------------------------------------------


def test_a_node_moves_with_everything_below_it(manager, europe):
    western = Territory.objects.get(name="Western Europe")
    root = Territory.objects.get(name="All Territories")
    response = manager.post(url("tree_move", node=western), {"parent": root.pk}, follow=True)
    western.refresh_from_db()
    assert western.parent == root
    assert Territory.objects.get(name="France").parent == western
    assert "Moved Western Europe under All Territories." in response.content.decode()


def test_the_move_form_offers_groups_by_path_and_greys_out_the_subtree(manager, europe):
    western = Territory.objects.get(name="Western Europe")
    form = manager.get(url("tree_move", node=western)).context["form"]
    options = {label: option for _, label, option in _options(form["parent"])}
    assert list(options) == [
        "---------",
        "All Territories",
        "All Territories › Europe",
        "All Territories › Europe › Western Europe",
    ]
    assert options["All Territories › Europe"]["selected"]
    assert options["All Territories › Europe › Western Europe"]["attrs"].get("disabled")
    assert not options["All Territories"]["attrs"].get("disabled")


def _options(bound_field):
    chosen = [str(bound_field.value())]
    for _, group_options, _ in bound_field.field.widget.optgroups("parent", chosen):
        for option in group_options:
            yield option["value"], option["label"], option


def test_a_node_cannot_move_under_itself(manager, europe):
    response = manager.post(url("tree_move", node=europe), {"parent": europe.pk})
    assert errors_of(response, "parent") == [
        "Europe cannot be its own parent; choose another group."
    ]
    europe.refresh_from_db()
    assert europe.parent.name == "All Territories"


def test_a_node_cannot_move_under_one_of_its_descendants(manager, europe):
    western = Territory.objects.get(name="Western Europe")
    response = manager.post(url("tree_move", node=europe), {"parent": western.pk})
    assert errors_of(response, "parent") == [
        "Western Europe is inside Europe; choose a group outside Europe."
    ]
    europe.refresh_from_db()
    assert europe.parent.name == "All Territories"


def test_a_node_cannot_move_under_a_leaf(manager, europe):
    spain = Territory.objects.get(name="Spain")
    response = manager.post(url("tree_move", node=europe), {"parent": spain.pk})
    assert errors_of(response, "parent") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]


def test_the_root_cannot_be_moved(manager, europe):
    root = Territory.objects.get(name="All Territories")
    response = manager.post(url("tree_move", node=root), {"parent": europe.pk})
    assert errors_of(response, "parent") == [
        "All Territories is the root of the tree; it cannot be moved."
    ]
    root.refresh_from_db()
    assert root.parent is None


def test_the_move_form_needs_a_parent(manager, europe):
    response = manager.post(url("tree_move", node=europe), {"parent": ""})
    assert errors_of(response, "parent") == ["This field is required."]


# --- delete -------------------------------------------------------------------------------


def test_an_empty_leaf_is_deleted_after_confirmation(manager, europe):
    spain = Territory.objects.get(name="Spain")
    page = manager.get(url("tree_delete", node=spain)).content.decode()
    assert "This deletes the territory <strong>Spain</strong>" in page
    assert "Delete Spain</button>" in page
    response = manager.post(url("tree_delete", node=spain), follow=True)
    assert response.redirect_chain[-1][0] == "/trees/territories/"
    assert "Deleted territory Spain." in response.content.decode()
    assert not Territory.objects.filter(name="Spain").exists()


def assert_refused(client, node, reasons):
    page = client.get(url("tree_delete", type_slug(node), node))
    assert page.context["blockers"] == reasons
    html = page.content.decode()
    assert all(reason in html for reason in reasons)
    assert "<button" not in html.split("<main")[1]  # no delete button
    response = client.post(url("tree_delete", type_slug(node), node))
    assert response.status_code == 200
    assert response.context["blockers"] == reasons
    assert type(node).objects.filter(pk=node.pk).exists()


def type_slug(node):
    return next(slug for slug, model in MODELS.items() if isinstance(node, model))


def test_a_group_with_children_cannot_be_deleted(manager, europe):
    assert_refused(manager, europe, ["Europe has child nodes; delete or move them first."])


def test_a_node_with_customers_cannot_be_deleted(manager, customer):
    reasons = ["Commercial has 1 customer(s); move them first."]
    assert_refused(manager, customer.customer_group, reasons)


def test_the_root_cannot_be_deleted(manager):
    root = SalesPerson.objects.get(name="Sales Team")
    assert_refused(manager, root, ["Sales Team is the root of the tree; it cannot be deleted."])


def test_a_territory_of_a_sales_partner_cannot_be_deleted(manager, europe):
    spain = Territory.objects.get(name="Spain")
    SalesPartner.objects.create(name="Iberia SL", partner_type="distributor", territory=spain)
    assert_refused(manager, spain, ["Spain is used by 1 sales partner(s); change them first."])


def test_a_sales_person_in_a_sales_team_cannot_be_deleted(manager, customer):
    anna = sales_person("Anna")
    services.set_sales_team(customer=customer, members=[(anna, 100)])
    assert_refused(manager, anna, ["Anna has 1 customer(s); move them first."])


# --- concurrency --------------------------------------------------------------------------


@requires_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_rows")
def test_two_people_adding_the_same_name_at_once_get_one_node_and_a_message():
    root = Territory.objects.get(name="All Territories")
    results, errors = run_concurrently(
        lambda _: services.add_tree_node(parent=root, name="Oceania", is_group=True)
    )
    assert Territory.objects.filter(name="Oceania").count() == 1
    assert sum(result is not None for result in results) == 1
    refusals = [error for error in errors if error is not None]
    assert len(refusals) == 1 and isinstance(refusals[0], ValidationError)
    assert refusals[0].message_dict["name"] == [
        "There is already a territory named Oceania; choose another name."
    ]


@requires_postgresql
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("migrated_rows")
def test_two_crossing_moves_at_once_cannot_make_a_cycle():
    north = territory("North", is_group=True)
    south = territory("South", is_group=True)
    pairs = [(north, south), (south, north)]
    results, errors = run_concurrently(
        lambda index: services.move_tree_node(node=pairs[index][0], parent=pairs[index][1])
    )
    assert sum(result is not None for result in results) == 1
    assert sum(isinstance(error, ValidationError) for error in errors) == 1
    parents = set(Territory.objects.filter(name__in=["North", "South"]).values_list("parent__name"))
    assert ("All Territories",) in parents
