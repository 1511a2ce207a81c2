"""On PostgreSQL: overlapping windows are refused under races and when written directly."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pricing.models import Item, ItemPrice, PriceList
from pricing.services import add_item_price
from tests.helpers import requires_postgresql, run_concurrently

pytestmark = [requires_postgresql, pytest.mark.usefixtures("migrated_rows")]


def test_two_requests_adding_overlapping_prices_at_once_save_one():
    price_list = PriceList.objects.create(name="Race List", currency="EUR")
    item = Item.objects.create(code="RACER", name="Racer")

    _, errors = run_concurrently(
        lambda index: add_item_price(
            price_list=price_list, item=item, rate=index, valid_from=date(2026, 1, 1 + index)
        ),
        threads=4,
    )

    assert ItemPrice.objects.filter(item=item).count() == 1
    refusals = [error for error in errors if error is not None]
    assert len(refusals) == 3
    assert all(isinstance(error, ValidationError) for error in refusals)


def test_the_database_refuses_an_overlap_written_without_the_services():
    price_list = PriceList.objects.create(name="Direct List", currency="EUR")
    item = Item.objects.create(code="DIRECT", name="Direct")
    ItemPrice.objects.create(price_list=price_list, item=item, rate=1, valid_from=date(2026, 1, 1))

    with (
        pytest.raises(IntegrityError, match="item_price_windows_never_overlap"),
        transaction.atomic(),
    ):
        ItemPrice.objects.create(
            price_list=price_list, item=item, rate=2, valid_upto=date(2026, 1, 1)
        )

    assert ItemPrice.objects.filter(item=item).count() == 1
