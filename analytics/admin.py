from django.contrib import admin

from .models import (
    MONTH_FIELDS,
    CustomerOpenAmount,
    MonthlyDistribution,
    OpenAmountByDueDate,
    SalesFact,
    SalesTarget,
)


@admin.register(MonthlyDistribution)
class MonthlyDistributionAdmin(admin.ModelAdmin):
    list_display = ["name", *MONTH_FIELDS]
    search_fields = ["name"]


@admin.register(SalesTarget)
class SalesTargetAdmin(admin.ModelAdmin):
    list_display = ["fiscal_year", "company", "territory", "sales_person", "amount", "distribution"]
    list_filter = ["fiscal_year", "company"]
    search_fields = ["territory__name", "sales_person__name", "company__name"]
    autocomplete_fields = ["territory", "sales_person", "distribution"]
    list_select_related = ["company", "territory", "sales_person", "distribution"]


class SummaryAdmin(admin.ModelAdmin):
    """Summaries are rebuilt from the invoices and payments; nobody edits them by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SalesFact)
class SalesFactAdmin(SummaryAdmin):
    list_display = ["invoice", "company", "customer", "posting_date", "net_sales", "cost"]
    list_filter = ["company"]
    search_fields = ["invoice__number", "customer__name", "customer__code"]
    list_select_related = ["invoice", "company", "customer"]


@admin.register(CustomerOpenAmount)
class CustomerOpenAmountAdmin(SummaryAdmin):
    list_display = ["customer", "company", "outstanding"]
    list_filter = ["company"]
    search_fields = ["customer__name", "customer__code"]
    list_select_related = ["company", "customer"]


@admin.register(OpenAmountByDueDate)
class OpenAmountByDueDateAdmin(SummaryAdmin):
    list_display = ["company", "due_date", "outstanding"]
    list_filter = ["company"]
    search_fields = ["company__name"]
    list_select_related = ["company"]
