from django.contrib import admin

from . import services
from .models import (
    Payment,
    PaymentAllocation,
    SalesInvoice,
    SalesInvoiceLine,
    SalesInvoiceTeamMember,
)

POSTED_FIELDS = ["number", "docstatus", "total", "outstanding", "journal"]
OVERRIDE_FIELDS = [
    "credit_override_by",
    "credit_override_at",
    "credit_override_note",
    "due_date_extended_by",
    "due_date_note",
]


class SalesInvoiceLineInline(admin.TabularInline):
    """Editable while the invoice is a draft; a submitted invoice's lines are fixed."""

    model = SalesInvoiceLine
    fields = ["item", "quantity", "rate", "amount"]
    readonly_fields = ["amount"]
    autocomplete_fields = ["item"]
    extra = 0

    def _is_fixed(self, obj):
        return obj is not None and not obj.is_draft

    def get_readonly_fields(self, request, obj=None):
        return self.fields if self._is_fixed(obj) else self.readonly_fields

    def has_add_permission(self, request, obj=None):
        return not self._is_fixed(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._is_fixed(obj) and super().has_delete_permission(request, obj)


class SalesInvoiceTeamMemberInline(admin.TabularInline):
    model = SalesInvoiceTeamMember
    fields = ["sales_person", "contribution"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SalesInvoice)
class SalesInvoiceAdmin(admin.ModelAdmin):
    """Invoices are raised and submitted by the services; here a draft's lines can be edited."""

    list_display = [
        "__str__",
        "customer",
        "company",
        "posting_date",
        "due_date",
        "total",
        "outstanding",
        "docstatus",
    ]
    list_filter = ["docstatus", "company", "posting_date"]
    search_fields = ["number", "customer__name", "customer__code"]
    list_select_related = ["customer", "company"]
    date_hierarchy = "posting_date"
    inlines = [SalesInvoiceLineInline, SalesInvoiceTeamMemberInline]
    readonly_fields = [
        "company",
        "customer",
        "due_date",  # checked against the terms on the invoice page
        "price_list",
        "currency",
        *POSTED_FIELDS,
        *OVERRIDE_FIELDS,
    ]
    fields = [
        "company",
        "customer",
        "posting_date",
        "due_date",
        "price_list",
        "currency",
        "sales_partner",
        "commission_rate",
        *POSTED_FIELDS,
        *OVERRIDE_FIELDS,
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return (obj is None or obj.is_draft) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_draft:
            return self.fields
        return self.readonly_fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would skip the draft-only check
        return actions

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.instance.is_draft:
            services.refresh_draft_total(invoice=form.instance)


class InvoicePartAdmin(admin.ModelAdmin):
    """Lines and team shares are read here; they are edited with their invoice, and go with a
    deleted draft."""

    list_select_related = ["invoice__customer"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # asked per object when a draft invoice is deleted; no bulk or standalone deletes
        return obj is not None and obj.invoice.is_draft and super().has_delete_permission(request)

    def get_actions(self, request):
        return {}


@admin.register(SalesInvoiceLine)
class SalesInvoiceLineAdmin(InvoicePartAdmin):
    list_display = ["invoice", "item", "quantity", "rate", "amount"]
    search_fields = ["invoice__number", "item__code", "item__name"]
    list_select_related = ["invoice__customer", "item"]


@admin.register(SalesInvoiceTeamMember)
class SalesInvoiceTeamMemberAdmin(InvoicePartAdmin):
    list_display = ["invoice", "sales_person", "contribution"]
    search_fields = ["invoice__number", "sales_person__name"]
    list_select_related = ["invoice__customer", "sales_person"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Posted documents are read here; they are made and cancelled on their pages."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PaymentAllocationInline(admin.TabularInline):
    model = PaymentAllocation
    fields = ["invoice", "amount", "allocated_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "customer",
        "company",
        "posting_date",
        "amount",
        "unallocated",
        "mode",
        "docstatus",
    ]
    list_filter = ["docstatus", "mode", "company", "posting_date"]
    search_fields = ["number", "reference", "customer__name", "customer__code"]
    list_select_related = ["customer", "company"]
    date_hierarchy = "posting_date"
    inlines = [PaymentAllocationInline]


@admin.register(PaymentAllocation)
class PaymentAllocationAdmin(ReadOnlyAdmin):
    list_display = ["payment", "invoice", "amount", "allocated_on"]
    search_fields = ["payment__number", "invoice__number"]
    list_select_related = ["payment", "invoice"]
