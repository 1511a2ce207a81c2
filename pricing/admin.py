from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Item, ItemPrice, PriceList


class ItemPriceInline(admin.TabularInline):
    model = ItemPrice
    extra = 0
    autocomplete_fields = ["item"]
    fields = ["item", "rate", "valid_from", "valid_upto"]


@admin.register(PriceList)
class PriceListAdmin(SimpleHistoryAdmin):
    list_display = ["name", "currency", "selling", "buying", "enabled"]
    list_filter = ["currency", "selling", "buying", "enabled"]
    search_fields = ["name"]
    inlines = [ItemPriceInline]


@admin.register(Item)
class ItemAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "unit_of_measure", "standard_cost", "disabled"]
    list_filter = ["disabled", "unit_of_measure"]
    search_fields = ["code", "name"]


@admin.register(ItemPrice)
class ItemPriceAdmin(SimpleHistoryAdmin):
    list_display = ["item", "price_list", "rate", "valid_from", "valid_upto"]
    list_filter = ["price_list"]
    search_fields = ["item__code", "item__name", "price_list__name"]
    autocomplete_fields = ["item", "price_list"]
    list_select_related = ["item", "price_list"]
