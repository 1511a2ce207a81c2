"""django-import-export resources of price lists, items and item prices: the "Export
existing" downloads, with the columns and headers of their imports (pricing.importing) and
each value as the import reads it, so an exported file can be edited and imported back."""

from django.db.models import F
from import_export import fields, resources, widgets

from config.record_import import headers_of

from .importing import ItemImport, ItemPriceImport, PriceListImport
from .models import Item, ItemPrice, PriceList

FLAG = widgets.BooleanWidget(coerce_to_string=False)
NUMBER = widgets.DecimalWidget(coerce_to_string=False)
DAY = widgets.DateWidget(coerce_to_string=False)


def column(importer, name, attribute=None, widget=None) -> fields.Field:
    header = headers_of(importer)[name]
    return fields.Field(attribute=attribute or name, column_name=header, widget=widget)


class PriceListResource(resources.ModelResource):
    name = column(PriceListImport, "name")
    currency = column(PriceListImport, "currency")
    selling = column(PriceListImport, "selling", widget=FLAG)
    buying = column(PriceListImport, "buying", widget=FLAG)
    enabled = column(PriceListImport, "enabled", widget=FLAG)

    class Meta:
        model = PriceList
        fields = ["name", "currency", "selling", "buying", "enabled"]


class ItemResource(resources.ModelResource):
    code = column(ItemImport, "code")
    name = column(ItemImport, "name")
    unit_of_measure = column(ItemImport, "unit_of_measure")
    standard_cost = column(ItemImport, "standard_cost", widget=NUMBER)
    disabled = column(ItemImport, "disabled", widget=FLAG)

    class Meta:
        model = Item
        fields = ["code", "name", "unit_of_measure", "standard_cost", "disabled"]


class ItemPriceResource(resources.ModelResource):
    price_list = column(ItemPriceImport, "price_list", "price_list__name")
    item = column(ItemPriceImport, "item", "item__code")
    rate = column(ItemPriceImport, "rate", widget=NUMBER)
    valid_from = column(ItemPriceImport, "valid_from", widget=DAY)
    valid_upto = column(ItemPriceImport, "valid_upto", widget=DAY)

    class Meta:
        model = ItemPrice
        fields = ["price_list", "item", "rate", "valid_from", "valid_upto"]

    def get_queryset(self):
        return ItemPrice.objects.select_related("price_list", "item").order_by(
            "price_list__name", "item__code", F("valid_from").asc(nulls_first=True)
        )
