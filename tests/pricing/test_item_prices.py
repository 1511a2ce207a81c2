"""Item prices: windows of one item in one list never overlap, and the rate on a date."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from pricing.models import Item, ItemPrice, PriceList
from pricing.selectors import item_rate, item_rates
from pricing.services import add_item_price, end_item_price, update_item_price

pytestmark = pytest.mark.django_db

CLASH = (
    "WIDGET already has a price in Standard Selling valid 2026-01-01 to 2026-06-30; "
    "end it first or choose dates outside it."
)


@pytest.fixture
def price_list():
    return PriceList.objects.create(name="Standard Selling", currency="EUR")


@pytest.fixture
def item():
    return Item.objects.create(code="WIDGET", name="Widget")


@pytest.fixture
def first_half(price_list, item):
    return add_item_price(
        price_list=price_list,
        item=item,
        rate=Decimal("10"),
        valid_from=date(2026, 1, 1),
        valid_upto=date(2026, 6, 30),
    )


def refusal(error, field):
    return error.value.message_dict[field]


def test_a_price_in_a_window_that_starts_inside_another_is_refused(price_list, item, first_half):
    with pytest.raises(ValidationError) as error:
        add_item_price(price_list=price_list, item=item, rate=12, valid_from=date(2026, 6, 30))

    assert refusal(error, "valid_from") == [CLASH]
    assert ItemPrice.objects.count() == 1


def test_an_open_ended_price_overlaps_every_later_window(price_list, item):
    add_item_price(price_list=price_list, item=item, rate=5)

    with pytest.raises(ValidationError) as error:
        add_item_price(price_list=price_list, item=item, rate=6, valid_from=date(2030, 1, 1))

    assert refusal(error, "valid_from") == [
        "WIDGET already has a price in Standard Selling valid at all times; "
        "end it first or choose dates outside it."
    ]


def test_windows_that_meet_but_do_not_share_a_day_are_allowed(price_list, item, first_half):
    second_half = add_item_price(
        price_list=price_list, item=item, rate=11, valid_from=date(2026, 7, 1)
    )
    before = add_item_price(price_list=price_list, item=item, rate=9, valid_upto=date(2025, 12, 31))

    assert ItemPrice.objects.filter(pk__in=[second_half.pk, before.pk]).count() == 2


def test_the_same_item_may_have_the_same_window_in_another_list(item, first_half):
    other = PriceList.objects.create(name="Wholesale", currency="EUR")

    add_item_price(
        price_list=other,
        item=item,
        rate=8,
        valid_from=date(2026, 1, 1),
        valid_upto=date(2026, 6, 30),
    )

    assert item.prices.count() == 2


def test_a_negative_rate_is_refused(price_list, item):
    with pytest.raises(ValidationError) as error:
        add_item_price(price_list=price_list, item=item, rate=Decimal("-0.01"))

    assert refusal(error, "rate") == ["Enter a rate of 0 or more."]
    assert not ItemPrice.objects.exists()


def test_a_window_that_ends_before_it_starts_is_refused(price_list, item):
    with pytest.raises(ValidationError) as error:
        add_item_price(
            price_list=price_list,
            item=item,
            rate=1,
            valid_from=date(2026, 2, 1),
            valid_upto=date(2026, 1, 31),
        )

    assert refusal(error, "valid_upto") == [
        "Valid up to (2026-01-31) comes before valid from (2026-02-01)."
    ]


def test_updating_a_price_does_not_clash_with_itself(first_half):
    update_item_price(
        item_price=first_half,
        rate=Decimal("10.5"),
        valid_from=date(2026, 1, 1),
        valid_upto=date(2026, 3, 31),
    )

    first_half.refresh_from_db()
    assert (first_half.rate, first_half.valid_upto) == (Decimal("10.5"), date(2026, 3, 31))


def test_moving_a_price_onto_another_window_is_refused_and_changes_nothing(
    price_list, item, first_half
):
    later = add_item_price(price_list=price_list, item=item, rate=11, valid_from=date(2026, 7, 1))

    with pytest.raises(ValidationError) as error:
        update_item_price(item_price=later, rate=12, valid_from=date(2026, 6, 1), valid_upto=None)

    assert refusal(error, "valid_from") == [CLASH]
    later.refresh_from_db()
    assert (later.rate, later.valid_from) == (Decimal(11), date(2026, 7, 1))


def test_ending_a_price_sets_its_last_day(price_list, item):
    open_price = add_item_price(price_list=price_list, item=item, rate=3)

    end_item_price(item_price=open_price, valid_upto=date(2026, 4, 30))

    open_price.refresh_from_db()
    assert open_price.valid_upto == date(2026, 4, 30)


def test_ending_a_price_before_it_starts_is_refused(first_half):
    with pytest.raises(ValidationError) as error:
        end_item_price(item_price=first_half, valid_upto=date(2025, 12, 31))

    assert refusal(error, "valid_upto") == [
        "Valid up to (2025-12-31) comes before valid from (2026-01-01)."
    ]


def test_extending_a_price_into_the_next_one_is_refused_next_to_the_end_date(
    price_list, item, first_half
):
    add_item_price(price_list=price_list, item=item, rate=11, valid_from=date(2026, 7, 1))

    with pytest.raises(ValidationError) as error:
        end_item_price(item_price=first_half, valid_upto=date(2026, 7, 15))

    assert refusal(error, "valid_upto") == [
        "WIDGET already has a price in Standard Selling valid from 2026-07-01 until further "
        "notice; end it first or choose dates outside it."
    ]


@pytest.mark.parametrize(
    ("on_date", "expected"),
    [
        (date(2025, 12, 31), Decimal(9)),
        (date(2026, 1, 1), Decimal(10)),
        (date(2026, 6, 30), Decimal(10)),
        (date(2026, 7, 1), Decimal(11)),
        (date(2099, 1, 1), Decimal(11)),
    ],
)
def test_the_rate_is_the_one_whose_window_holds_the_date(
    price_list, item, first_half, on_date, expected
):
    add_item_price(price_list=price_list, item=item, rate=9, valid_upto=date(2025, 12, 31))
    add_item_price(price_list=price_list, item=item, rate=11, valid_from=date(2026, 7, 1))

    assert item_rate(price_list=price_list, item=item, on_date=on_date) == expected


def test_an_item_without_a_price_on_the_date_has_no_rate(price_list, item, first_half):
    assert item_rate(price_list=price_list, item=item, on_date=date(2026, 7, 1)) is None


def test_rates_of_many_items_come_in_one_query(
    price_list, item, first_half, django_assert_num_queries
):
    others = [Item.objects.create(code=f"OTHER-{n}", name=f"Other {n}") for n in range(5)]
    for n, other in enumerate(others[:4]):
        add_item_price(price_list=price_list, item=other, rate=n)

    with django_assert_num_queries(1):
        rates = item_rates(price_list=price_list, items=[item, *others], on_date=date(2026, 2, 1))

    assert rates == {
        item.pk: Decimal(10),
        **{other.pk: Decimal(n) for n, other in enumerate(others[:4])},
    }
