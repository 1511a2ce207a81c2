"""Read models for pricing: the rate of an item on a date, and the price list pages."""

from datetime import date
from decimal import Decimal

from django.db.models import BooleanField, Count, ExpressionWrapper, Q, QuerySet

from .models import Item, ItemPrice, PriceList


def valid_on(on_date: date) -> Q:
    """Prices whose window contains the date; empty ends are open."""
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=on_date)) & (
        Q(valid_upto__isnull=True) | Q(valid_upto__gte=on_date)
    )


def item_rate(*, price_list, item, on_date: date) -> Decimal | None:
    """The item's rate in the list on that date, or None when it has no price then."""
    return item_rates(price_list=price_list, items=[item], on_date=on_date).get(item.pk)


def item_rates(*, price_list, items, on_date: date) -> dict[int, Decimal]:
    """Item id -> rate on that date, for those of the items priced then (one query)."""
    prices = ItemPrice.objects.filter(
        valid_on(on_date), price_list=price_list, item__in=[item.pk for item in items]
    )
    return dict(prices.values_list("item_id", "rate"))


def price_lists() -> QuerySet[PriceList]:
    return PriceList.objects.annotate(price_count=Count("prices"))


def prices_in(price_list, *, today: date) -> QuerySet[ItemPrice]:
    """The list's prices with their items, each with `is_current` (valid today)."""
    return (
        price_list.prices.select_related("item")
        .annotate(is_current=ExpressionWrapper(valid_on(today), output_field=BooleanField()))
        .order_by("item__code", "valid_from")
    )


def items_matching(query: str) -> QuerySet[Item]:
    items = Item.objects.all()
    if query:
        items = items.filter(Q(code__icontains=query) | Q(name__icontains=query))
    return items
