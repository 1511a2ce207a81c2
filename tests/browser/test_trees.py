"""In a real browser: add a territory, move it into a group, and be told why a group with
children cannot be deleted."""

import pytest

from crm.models import Territory
from tests.browser.conftest import screenshot

pytestmark = pytest.mark.usefixtures("migrated_rows")


def node_row(page, name):
    return page.locator("tbody tr", has=page.get_by_text(name, exact=True))


def test_a_territory_is_added_moved_and_its_group_is_kept(logged_in, live_server):
    root = Territory.objects.get(name="All Territories")
    europe = Territory.objects.create(name="Europe", parent=root, is_group=True)
    Territory.objects.create(name="Spain", parent=europe)
    page = logged_in

    page.goto(f"{live_server.url}/trees/territories/")
    node_row(page, "All Territories").get_by_role("link", name="Add child").click()
    page.fill("#id_name", "France")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Added territory France under All Territories.")
    assert (
        node_row(page, "France").locator("td.tree-node").get_attribute("style") == "--tree-depth: 1"
    )

    node_row(page, "France").get_by_role("link", name="Move").click()
    page.select_option("#id_parent", label="All Territories › Europe")
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("text=Moved France under Europe.")
    assert (
        node_row(page, "France").locator("td.tree-node").get_attribute("style") == "--tree-depth: 2"
    )
    screenshot(page, "territories-tree")

    node_row(page, "Europe").get_by_role("link", name="Delete").click()
    reason = page.get_by_text("Europe has child nodes; delete or move them first.")
    assert reason.is_visible()
    assert page.locator("main button").count() == 0
    screenshot(page, "territory-delete-refused")
    assert Territory.objects.filter(name="Europe").exists()
