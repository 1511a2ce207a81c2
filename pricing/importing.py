"""Importing price lists, items and item prices in bulk (see config.record_import).

Item prices keep the rule of `pricing.services`: the windows of one item in one list never
overlap. The dry run checks the file's windows against each other and against the prices
already stored (read once per batch of item and list pairs), and names the rows or the
stored price that clash.
"""

from datetime import date
from decimal import Decimal
from itertools import islice
from types import SimpleNamespace

from config.importing import Column
from config.record_import import (
    BATCH_SIZE,
    CurrencyCode,
    Day,
    Field,
    Flag,
    Lookup,
    Number,
    RecordImport,
    Text,
)

from .models import Item, ItemPrice, PriceList
from .services import overlap_message, window_text


def _flag(field, header, default, help_text, *aliases) -> Field:
    return Field(Column(field, header, aliases, help=help_text), Flag(default=default))


class PriceListImport(RecordImport):
    model = PriceList
    fields = [
        Field(
            Column(
                "name",
                "Name",
                ("price list", "price list name"),
                required=True,
                help="The price list's name; unique.",
            ),
            Text(140),
            required=True,
        ),
        Field(
            Column(
                "currency",
                "Currency",
                ("currency code", "ccy"),
                required=True,
                help="Its ISO 4217 code: EUR, USD, GBP...",
            ),
            CurrencyCode(),
            required=True,
        ),
        _flag("selling", "Selling", True, "yes: prices for customers (empty: yes).", "for selling"),
        _flag("buying", "Buying", False, "yes: prices from suppliers (empty: no).", "for buying"),
        _flag("enabled", "Enabled", True, "no: kept but not offered (empty: yes).", "active"),
    ]

    def check_row(self, row, plan):
        if not (self.final(row, "selling") or self.final(row, "buying")):
            name = "selling" if "selling" in self else "buying"
            self.refuse(
                plan,
                row,
                name,
                "a price list is for selling, buying or both; put yes in Selling or Buying.",
            )


class ItemImport(RecordImport):
    model = Item
    key_fields = ("code",)
    fields = [
        Field(
            Column(
                "code",
                "Code",
                ("item code", "item", "sku", "item no", "item number", "article number"),
                required=True,
                help="The item's code; unique. Finds the item to update.",
            ),
            Text(40),
            required=True,
        ),
        Field(
            Column(
                "name",
                "Name",
                ("item name", "description", "title"),
                required=True,
                help="What the item is called.",
            ),
            Text(140),
            required=True,
        ),
        Field(
            Column(
                "unit_of_measure",
                "Unit of measure",
                ("uom", "unit", "stock uom"),
                help="Nos, Kg, Hour... (empty: Nos).",
            ),
            Text(20, default="Nos"),
        ),
        Field(
            Column(
                "standard_cost",
                "Standard cost",
                ("cost", "valuation rate", "unit cost"),
                help="The cost of one unit, for margin reports; 0 or more (empty: 0).",
            ),
            Number(places=6, minimum=0, default=Decimal(0)),
        ),
        _flag("disabled", "Disabled", False, "yes or no (empty: no).", "inactive"),
    ]


class ItemPriceImport(RecordImport):
    """An item's rate in a price list from one date up to another; a row is found by its
    price list, item and valid from."""

    model = ItemPrice
    key_fields = ("price_list", "item", "valid_from")
    updates_first = True  # a stored window is shortened before the next one is added
    fields = [
        Field(
            Column(
                "price_list",
                "Price list",
                ("price list name", "list"),
                required=True,
                help="The price list, by name.",
            ),
            Lookup(PriceList),
            attname="price_list_id",
            required=True,
        ),
        Field(
            Column(
                "item",
                "Item code",
                ("item", "code", "sku"),
                required=True,
                help="The item, by code.",
            ),
            Lookup(Item, ("code",)),
            attname="item_id",
            required=True,
        ),
        Field(
            Column(
                "rate",
                "Rate",
                ("price", "price list rate", "unit price"),
                required=True,
                help="The price of one unit in the list's currency; 0 or more.",
            ),
            Number(places=6, minimum=0),
            required=True,
        ),
        Field(
            Column(
                "valid_from",
                "Valid from",
                ("from", "start date", "from date"),
                help="First day the rate applies, as YYYY-MM-DD (empty: always was).",
            ),
            Day(),
        ),
        Field(
            Column(
                "valid_upto",
                "Valid up to",
                ("valid to", "valid until", "to", "end date", "to date"),
                help="Last day the rate applies (empty: until further notice).",
            ),
            Day(),
        ),
    ]

    def load(self):
        self.list_names = dict(PriceList.objects.values_list("pk", "name"))
        self.item_codes = dict(Item.objects.values_list("pk", "code"))

    def key_text(self, values) -> str:
        start = values["valid_from"]
        return " › ".join(
            [
                self.list_names.get(values["price_list_id"], ""),
                self.item_codes.get(values["item_id"], ""),
                start.isoformat() if start else "",
            ]
        )

    def describe(self, current):
        window = window_text(SimpleNamespace(**current))
        return f"A price of {self.item_codes[current['item_id']]} {window}"

    def check_row(self, row, plan):
        start, end = row.values["valid_from"], self.final(row, "valid_upto")
        if start and end and end < start:
            self.refuse(
                plan, row, "valid_upto", f"comes before valid from ({start}); swap the dates."
            )

    def check(self, rows, plan):
        """No two windows of one item in one list share a day: the file's rows and the stored
        prices they do not replace."""
        by_pair = {}
        for row in rows:
            by_pair.setdefault(_pair(row.values), []).append(row)
        pairs = iter(by_pair)
        while batch := list(islice(pairs, BATCH_SIZE)):
            stored = _stored_prices(batch)
            for pair in batch:
                self._check_windows(by_pair[pair], stored.get(pair, []), plan)

    def _check_windows(self, rows, stored, plan):
        replaced = {row.existing_id for row in rows}
        windows = [
            (row.values["valid_from"], self.final(row, "valid_upto"), row) for row in rows
        ] + [(p.valid_from, p.valid_upto, p) for p in stored if p.pk not in replaced]
        windows.sort(key=lambda window: _start_key(window[0]))
        latest = None  # the window seen so far that reaches furthest
        for window in windows:
            if latest is not None and _overlap(latest, window):
                self._refuse_overlap(latest[2], window[2], plan)
            if latest is None or _end_key(window[1]) > _end_key(latest[1]):
                latest = window

    def _refuse_overlap(self, one, other, plan):
        for row, clash in ((one, other), (other, one)):
            if isinstance(row, ItemPrice):
                continue
            if isinstance(clash, ItemPrice):
                message = overlap_message(clash)
            else:
                window = window_text(SimpleNamespace(**clash.values))
                message = (
                    f"overlaps row {clash.number} ({window}) for the same item and price list; "
                    "end one before the other starts."
                )
            self.refuse(plan, row, "valid_from", message)


def _pair(values) -> tuple[int, int]:
    return values["price_list_id"], values["item_id"]


def _stored_prices(pairs) -> dict[tuple[int, int], list[ItemPrice]]:
    """The stored prices of these (price list, item) pairs, in one query."""
    prices = ItemPrice.objects.filter(
        price_list_id__in={list_id for list_id, _ in pairs},
        item_id__in={item_id for _, item_id in pairs},
    ).select_related("item", "price_list")
    wanted = set(pairs)
    found = {}
    for price in prices.order_by():
        pair = (price.price_list_id, price.item_id)
        if pair in wanted:
            found.setdefault(pair, []).append(price)
    return found


def _start_key(start) -> date:
    return start or date.min


def _end_key(end) -> date:
    return end or date.max


def _overlap(earlier, later) -> bool:
    """Whether `later` (starting no sooner than `earlier`) starts before `earlier` ends."""
    end, start = earlier[1], later[0]
    return end is None or start is None or start <= end
