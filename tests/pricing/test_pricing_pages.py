"""Price list and item pages: lists, detail with item prices, the forms and their refusals."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from pricing.models import Item, ItemPrice, PriceList
from pricing.services import add_item_price

pytestmark = pytest.mark.django_db

PRICE_LISTS = reverse("pricing:price_list_list")
NEW_PRICE_LIST = reverse("pricing:price_list_create")
ITEMS = reverse("pricing:item_list")
NEW_ITEM = reverse("pricing:item_create")


@pytest.fixture
def price_list(db):
    return PriceList.objects.create(name="Standard Selling", currency="EUR")


@pytest.fixture
def item(db):
    return Item.objects.create(code="WIDGET", name="Widget")


@pytest.fixture
def first_half(price_list, item):
    return add_item_price(
        price_list=price_list,
        item=item,
        rate=Decimal(10),
        valid_from=date(2026, 1, 1),
        valid_upto=date(2026, 6, 30),
    )


@pytest.fixture
def manager(role_client):
    return role_client("Sales Manager")


def detail_url(price_list):
    return reverse("pricing:price_list_detail", args=[price_list.pk])


def add_price_url(price_list):
    return reverse("pricing:price_list_add_price", args=[price_list.pk])


def errors_of(response, field):
    return response.context["form"].errors[field]


def marked_invalid(response, field):
    return 'aria-invalid="true"' in str(response.context["form"][field])


# --- permissions ----------------------------------------------------------------------------


def test_a_sales_user_sees_price_lists_and_items_but_cannot_change_them(
    role_client, price_list, first_half
):
    client = role_client("Sales User")
    assert client.get(PRICE_LISTS).status_code == 200
    assert client.get(ITEMS).status_code == 200
    page = client.get(detail_url(price_list))
    assert page.status_code == 200
    assert b"Add item price" not in page.content and b">End<" not in page.content
    assert client.post(add_price_url(price_list), {}).status_code == 403
    end_url = reverse("pricing:item_price_end", args=[first_half.pk])
    assert client.post(end_url, {"valid_upto": "2026-03-31"}).status_code == 403
    assert client.post(NEW_ITEM, {"code": "X", "name": "X"}).status_code == 403
    first_half.refresh_from_db()
    assert first_half.valid_upto == date(2026, 6, 30)
    assert not Item.objects.filter(code="X").exists()


def test_an_accounts_manager_may_manage_price_lists(role_client, price_list):
    client = role_client("Accounts Manager")
    assert client.get(NEW_PRICE_LIST).status_code == 200
    assert client.get(add_price_url(price_list)).status_code == 200


def test_the_setup_menu_offers_price_lists_to_those_who_may_see_them(role_client):
    page = role_client("Sales User").get("/")
    assert PRICE_LISTS.encode() in page.content


# --- price list pages -----------------------------------------------------------------------


def test_the_price_list_list_shows_currency_use_status_and_number_of_prices(
    manager, price_list, first_half
):
    PriceList.objects.create(name="Buying USD", currency="USD", selling=False, buying=True)

    page = manager.get(PRICE_LISTS).content.decode()

    assert "Standard Selling" in page and "Buying USD" in page
    assert "USD" in page and "Buying</span>" in page and "Enabled" in page
    counts = {pl.name: pl.price_count for pl in manager.get(PRICE_LISTS).context["price_lists"]}
    assert counts == {"Buying USD": 0, "Standard Selling": 1}


def test_the_price_list_list_costs_the_same_queries_for_many_lists(
    manager, django_assert_max_num_queries
):
    for n in range(30):
        PriceList.objects.create(name=f"List {n}", currency="EUR")

    with django_assert_max_num_queries(8):
        assert manager.get(PRICE_LISTS).status_code == 200


def test_the_detail_marks_the_prices_valid_today(manager, price_list, item):
    today = timezone.localdate()
    add_item_price(price_list=price_list, item=item, rate=5, valid_upto=today - timedelta(days=1))
    add_item_price(price_list=price_list, item=item, rate=6, valid_from=today)

    response = manager.get(detail_url(price_list))

    current = {price.rate: price.is_current for price in response.context["page_obj"]}
    assert current == {Decimal(5): False, Decimal(6): True}
    assert response.content.decode().count(">Current</span>") == 1


def test_the_detail_costs_the_same_queries_for_many_prices(
    manager, price_list, django_assert_max_num_queries
):
    for n in range(30):
        item = Item.objects.create(code=f"ITEM-{n}", name=f"Item {n}")
        add_item_price(price_list=price_list, item=item, rate=n)

    with django_assert_max_num_queries(10):
        response = manager.get(detail_url(price_list))

    assert response.content.decode().count("ITEM-") >= 30


def test_creating_a_price_list_upper_cases_the_currency(manager):
    response = manager.post(
        NEW_PRICE_LIST, {"name": "Export", "currency": "usd", "selling": "on", "enabled": "on"}
    )

    export = PriceList.objects.get(name="Export")
    assert response.status_code == 302 and response["Location"] == detail_url(export)
    assert export.currency == "USD"


def test_an_unknown_currency_is_refused_next_to_the_field(manager):
    response = manager.post(NEW_PRICE_LIST, {"name": "Odd", "currency": "xyz", "selling": "on"})

    assert errors_of(response, "currency") == [
        "XYZ is not an ISO 4217 currency code (for example EUR, USD, GBP)."
    ]
    assert marked_invalid(response, "currency")
    assert not PriceList.objects.filter(name="Odd").exists()


def test_a_price_list_for_neither_selling_nor_buying_is_refused(manager):
    response = manager.post(NEW_PRICE_LIST, {"name": "Nothing", "currency": "EUR"})

    assert (
        "A price list is for selling, buying or both."
        in response.context["form"].non_field_errors()
    )
    assert not PriceList.objects.filter(name="Nothing").exists()


def test_a_duplicate_price_list_name_is_refused(manager, price_list):
    response = manager.post(
        NEW_PRICE_LIST, {"name": "Standard Selling", "currency": "EUR", "selling": "on"}
    )

    assert errors_of(response, "name") == ["Price list with this Name already exists."]
    assert PriceList.objects.count() == 1


def test_editing_a_price_list_disables_it(manager, price_list):
    url = reverse("pricing:price_list_update", args=[price_list.pk])

    manager.post(url, {"name": "Standard Selling", "currency": "EUR", "selling": "on"})

    price_list.refresh_from_db()
    assert not price_list.enabled


# --- item price forms -----------------------------------------------------------------------


def price_data(for_item, **fields):
    return {"item": for_item.pk, "rate": "12.50", "valid_from": "", "valid_upto": "", **fields}


def test_adding_an_item_price_saves_it_and_returns_to_the_list(manager, price_list, item):
    response = manager.post(add_price_url(price_list), price_data(item, valid_from="2026-07-01"))

    assert response.status_code == 302 and response["Location"] == detail_url(price_list)
    price = ItemPrice.objects.get()
    assert (price.rate, price.valid_from, price.valid_upto) == (
        Decimal("12.5"),
        date(2026, 7, 1),
        None,
    )


def test_an_overlapping_price_is_refused_next_to_the_dates(manager, price_list, item, first_half):
    response = manager.post(add_price_url(price_list), price_data(item, valid_from="2026-06-01"))

    assert response.status_code == 200
    assert errors_of(response, "valid_from") == [
        "WIDGET already has a price in Standard Selling valid 2026-01-01 to 2026-06-30; "
        "end it first or choose dates outside it."
    ]
    assert marked_invalid(response, "valid_from")
    assert ItemPrice.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"rate": "-1"}, "rate", "Ensure this value is greater than or equal to 0."),
        ({"rate": "abc"}, "rate", "Enter a number."),
        ({"valid_from": "31/02/2026"}, "valid_from", "Enter a valid date."),
        (
            {"valid_from": "2026-03-01", "valid_upto": "2026-02-01"},
            "valid_upto",
            "Valid up to (2026-02-01) comes before valid from (2026-03-01).",
        ),
        ({"item": ""}, "item", "This field is required."),
    ],
)
def test_bad_item_price_input_is_refused_next_to_its_field(
    manager, price_list, item, fields, field, message
):
    response = manager.post(add_price_url(price_list), price_data(item, **fields))

    assert errors_of(response, field) == [message]
    assert not ItemPrice.objects.exists()


def test_disabled_items_are_not_offered(manager, price_list, item):
    Item.objects.create(code="OLD", name="Old", disabled=True)

    form = manager.get(add_price_url(price_list)).context["form"]

    assert list(form.fields["item"].queryset) == [item]


def test_editing_an_item_price_changes_its_rate_and_dates(manager, first_half):
    url = reverse("pricing:item_price_update", args=[first_half.pk])
    assert manager.get(url).context["form"]["rate"].value() == "10"

    manager.post(url, {"rate": "11", "valid_from": "2026-01-01", "valid_upto": "2026-03-31"})

    first_half.refresh_from_db()
    assert (first_half.rate, first_half.valid_upto) == (Decimal(11), date(2026, 3, 31))


def test_editing_a_price_onto_another_window_is_refused(manager, price_list, item, first_half):
    later = add_item_price(price_list=price_list, item=item, rate=11, valid_from=date(2026, 7, 1))
    url = reverse("pricing:item_price_update", args=[later.pk])

    response = manager.post(url, {"rate": "11", "valid_from": "2026-05-01", "valid_upto": ""})

    assert "valid 2026-01-01 to 2026-06-30" in errors_of(response, "valid_from")[0]
    later.refresh_from_db()
    assert later.valid_from == date(2026, 7, 1)


def test_ending_a_price_sets_its_last_day(manager, price_list, item):
    price = add_item_price(price_list=price_list, item=item, rate=3)
    url = reverse("pricing:item_price_end", args=[price.pk])
    assert b"valid at all times" in manager.get(url).content

    response = manager.post(url, {"valid_upto": "2026-04-30"})

    assert response["Location"] == detail_url(price_list)
    price.refresh_from_db()
    assert price.valid_upto == date(2026, 4, 30)


def test_ending_a_price_before_it_starts_is_refused_next_to_the_date(manager, first_half):
    url = reverse("pricing:item_price_end", args=[first_half.pk])

    response = manager.post(url, {"valid_upto": "2025-12-01"})

    assert errors_of(response, "valid_upto") == [
        "Valid up to (2025-12-01) comes before valid from (2026-01-01)."
    ]
    first_half.refresh_from_db()
    assert first_half.valid_upto == date(2026, 6, 30)


# --- items ----------------------------------------------------------------------------------


def test_items_are_searched_by_code_or_name(manager, item):
    Item.objects.create(code="GADGET", name="Gadget")
    Item.objects.create(code="SPROCKET", name="Widget sprocket")

    found = manager.get(ITEMS, {"q": "widget"}).context["page_obj"]

    assert [i.code for i in found] == ["SPROCKET", "WIDGET"]


def test_the_item_list_costs_the_same_queries_for_many_items(
    manager, django_assert_max_num_queries
):
    Item.objects.bulk_create(Item(code=f"BULK-{n}", name=f"Bulk {n}") for n in range(40))

    with django_assert_max_num_queries(8):
        assert manager.get(ITEMS).status_code == 200


def test_creating_an_item(manager):
    data = {"code": "BOLT", "name": "Bolt", "unit_of_measure": "Box", "standard_cost": "0.25"}

    response = manager.post(NEW_ITEM, data)

    assert response["Location"] == ITEMS
    assert Item.objects.get(code="BOLT").standard_cost == Decimal("0.25")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"code": "WIDGET"}, "code", "Item with this Code already exists."),
        ({"name": ""}, "name", "This field is required."),
        (
            {"standard_cost": "-1"},
            "standard_cost",
            "Ensure this value is greater than or equal to 0.",
        ),
    ],
)
def test_bad_item_input_is_refused_next_to_its_field(manager, item, fields, field, message):
    data = {"code": "NUT", "name": "Nut", "unit_of_measure": "Nos", "standard_cost": "0", **fields}

    response = manager.post(NEW_ITEM, data)

    assert errors_of(response, field) == [message]
    assert marked_invalid(response, field)
    assert Item.objects.count() == 1


def test_editing_an_item_disables_it(manager, item):
    url = reverse("pricing:item_update", args=[item.pk])

    manager.post(
        url,
        {
            "code": "WIDGET",
            "name": "Widget",
            "unit_of_measure": "Nos",
            "standard_cost": "1",
            "disabled": "on",
        },
    )

    item.refresh_from_db()
    assert item.disabled
