"""The price list verbs: give an item a rate for a window of dates, change it, end it.

Windows of one item in one list never overlap. Each verb checks it while holding a lock on
the price list row, so two requests cannot both pass the check; on PostgreSQL an exclusion
constraint (migration 0002) refuses an overlap written any other way.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from .models import ItemPrice, PriceList


def add_item_price(*, price_list, item, rate, valid_from=None, valid_upto=None) -> ItemPrice:
    item_price = ItemPrice(price_list=price_list, item=item)
    return _save_window(item_price, rate=rate, valid_from=valid_from, valid_upto=valid_upto)


def update_item_price(*, item_price, rate, valid_from, valid_upto) -> ItemPrice:
    return _save_window(item_price, rate=rate, valid_from=valid_from, valid_upto=valid_upto)


def end_item_price(*, item_price, valid_upto) -> ItemPrice:
    """End-date a price: it stops applying after `valid_upto`."""
    return _save_window(
        item_price,
        rate=item_price.rate,
        valid_from=item_price.valid_from,
        valid_upto=valid_upto,
        clash_field="valid_upto",
    )


@transaction.atomic
def _save_window(item_price, *, rate, valid_from, valid_upto, clash_field="valid_from"):
    _check_rate_and_dates(rate, valid_from, valid_upto)
    # Checks for the same list queue here, so each sees the windows the others saved.
    PriceList.objects.select_for_update().filter(pk=item_price.price_list_id).first()
    clash = (
        overlapping_prices(
            price_list=item_price.price_list,
            item=item_price.item,
            valid_from=valid_from,
            valid_upto=valid_upto,
        )
        .exclude(pk=item_price.pk)
        .first()
    )
    if clash:
        raise ValidationError({clash_field: overlap_message(clash)})
    item_price.rate, item_price.valid_from, item_price.valid_upto = rate, valid_from, valid_upto
    item_price.save()
    return item_price


def _check_rate_and_dates(rate, valid_from, valid_upto):
    if rate is None or Decimal(rate) < 0:
        raise ValidationError({"rate": "Enter a rate of 0 or more."})
    if valid_from and valid_upto and valid_upto < valid_from:
        raise ValidationError(
            {"valid_upto": f"Valid up to ({valid_upto}) comes before valid from ({valid_from})."}
        )


def overlapping_prices(*, price_list, item, valid_from, valid_upto):
    """The item's prices in the list whose window shares a day with the given one.

    An empty valid_from reaches back forever and an empty valid_upto forward forever.
    """
    prices = ItemPrice.objects.filter(price_list=price_list, item=item)
    if valid_upto:
        prices = prices.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=valid_upto))
    if valid_from:
        prices = prices.filter(Q(valid_upto__isnull=True) | Q(valid_upto__gte=valid_from))
    return prices.select_related("item", "price_list")


def overlap_message(clash) -> str:
    return (
        f"{clash.item.code} already has a price in {clash.price_list.name} "
        f"{window_text(clash)}; end it first or choose dates outside it."
    )


def window_text(item_price) -> str:
    """'valid 2026-01-01 to 2026-06-30', with open ends said in words."""
    start, end = item_price.valid_from, item_price.valid_upto
    if start and end:
        return f"valid {start} to {end}"
    if start:
        return f"valid from {start} until further notice"
    if end:
        return f"valid up to {end}"
    return "valid at all times"
