from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import CompanyAdmin
from accounts.models import Company

from . import selectors, services
from .forms import leaf_field_for
from .models import (
    Address,
    AddressLink,
    Contact,
    ContactEmail,
    ContactLink,
    ContactPhone,
    Customer,
    CustomerGroup,
    PartyLedger,
    SalesPartner,
    SalesPerson,
    SalesTeamMember,
    Supplier,
    Territory,
)


class CreditLimitWarningMixin:
    """After a credit limit is saved, warn about every outstanding already above it."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "credit_limit" in form.changed_data and obj.credit_limit is not None:
            for warning in selectors.credit_limit_warnings(set_on=obj):
                self.message_user(request, warning, messages.WARNING)


admin.site.unregister(Company)


@admin.register(Company)
class CompanyWithCustomersAdmin(CreditLimitWarningMixin, CompanyAdmin):
    """The company admin, warning when its global credit limit is below customers' balances."""


class TreeMasterAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "is_group"]
    list_filter = ["is_group"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]
    list_select_related = ["parent"]

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected += [reason for node in objs for reason in node.deletion_blockers()]
        return deleted, counts, perms_needed, protected


@admin.register(CustomerGroup)
class CustomerGroupAdmin(CreditLimitWarningMixin, TreeMasterAdmin):
    pass


@admin.register(SalesPerson)
class SalesPersonAdmin(TreeMasterAdmin):
    list_display = ["name", "parent", "is_group", "user", "commission_rate"]
    autocomplete_fields = ["parent", "user"]
    list_select_related = ["parent", "user"]


@admin.register(SalesPartner)
class SalesPartnerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "partner_type", "territory", "commission_rate"]
    list_filter = ["partner_type", "territory"]
    search_fields = ["name"]
    autocomplete_fields = ["territory"]
    list_select_related = ["territory"]


class SalesTeamInline(admin.TabularInline):
    model = SalesTeamMember
    extra = 0
    autocomplete_fields = ["sales_person"]


@admin.register(Territory)
class TerritoryAdmin(TreeMasterAdmin):
    pass


class PartyLedgerInline(admin.TabularInline):
    model = PartyLedger
    fields = ["company", "account", "opened_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PartyAdmin(SimpleHistoryAdmin):
    inlines = [PartyLedgerInline]
    list_select_related = ["company"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        companies = list(Company.objects.all()[:2])
        if len(companies) == 1:
            initial.setdefault("company", companies[0].pk)
        return initial

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected += [reason for party in objs for reason in services.deletion_blockers(party)]
        return deleted, counts, perms_needed, protected


@admin.register(Customer)
class CustomerAdmin(CreditLimitWarningMixin, PartyAdmin):
    list_display = [
        "code",
        "name",
        "customer_type",
        "customer_group",
        "territory",
        "company",
        "disabled",
        "frozen",
    ]
    list_filter = ["customer_type", "company", "disabled", "frozen", "customer_group", "territory"]
    search_fields = ["code", "name", "tax_id"]
    autocomplete_fields = ["company", "default_sales_partner"]
    list_select_related = ["company", "customer_group", "territory"]
    fieldsets = [
        (None, {"fields": ["code", "name", "customer_type", "company"]}),
        ("Classification", {"fields": ["customer_group", "territory"]}),
        ("Sales", {"fields": ["default_sales_partner", "default_commission_rate"]}),
        (
            "Credit and prices",
            {"fields": ["default_price_list", "credit_limit", "credit_days_rule", "credit_days"]},
        ),
        ("Status", {"fields": ["disabled", "frozen"]}),
        ("More", {"fields": ["tax_id", "website", "notes"]}),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return leaf_field_for(db_field) or super().formfield_for_foreignkey(
            db_field, request, **kwargs
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if warning := selectors.namesake_warning(obj):
            self.message_user(request, warning, messages.WARNING)


@admin.register(Supplier)
class SupplierAdmin(PartyAdmin):
    list_display = ["code", "name", "supplier_type", "company", "disabled"]
    list_filter = ["supplier_type", "company", "disabled"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["company"]


@admin.register(PartyLedger)
class PartyLedgerAdmin(admin.ModelAdmin):
    list_display = ["account", "customer", "supplier", "company", "opened_at"]
    list_filter = ["company"]
    search_fields = [
        "account__name",
        "customer__code",
        "customer__name",
        "supplier__code",
        "supplier__name",
    ]
    list_select_related = ["account", "customer", "supplier", "company"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ContactEmailInline(admin.TabularInline):
    model = ContactEmail
    extra = 1


class ContactPhoneInline(admin.TabularInline):
    model = ContactPhone
    extra = 1


class ContactLinkInline(admin.TabularInline):
    model = ContactLink
    extra = 0
    autocomplete_fields = ["customer", "supplier"]


class AddressLinkInline(admin.TabularInline):
    model = AddressLink
    extra = 0
    autocomplete_fields = ["customer", "supplier"]


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "designation", "department"]
    search_fields = ["first_name", "last_name", "emails__email", "phones__number"]
    inlines = [ContactEmailInline, ContactPhoneInline, ContactLinkInline]


@admin.register(Address)
class AddressAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "address_type", "city", "postal_code", "country"]
    list_filter = ["address_type", "country"]
    search_fields = ["title", "line1", "city", "postal_code"]
    inlines = [AddressLinkInline]


@admin.register(ContactEmail)
class ContactEmailAdmin(admin.ModelAdmin):
    list_display = ["email", "contact", "is_primary"]
    search_fields = ["email", "contact__first_name", "contact__last_name"]
    autocomplete_fields = ["contact"]
    list_select_related = ["contact"]


@admin.register(ContactPhone)
class ContactPhoneAdmin(admin.ModelAdmin):
    list_display = ["number", "contact", "is_primary"]
    search_fields = ["number", "contact__first_name", "contact__last_name"]
    autocomplete_fields = ["contact"]
    list_select_related = ["contact"]


@admin.register(ContactLink)
class ContactLinkAdmin(admin.ModelAdmin):
    list_display = ["contact", "customer", "supplier", "is_primary"]
    list_filter = ["is_primary"]
    search_fields = [
        "contact__first_name",
        "contact__last_name",
        "customer__name",
        "supplier__name",
    ]
    autocomplete_fields = ["contact", "customer", "supplier"]
    list_select_related = ["contact", "customer", "supplier"]


@admin.register(AddressLink)
class AddressLinkAdmin(admin.ModelAdmin):
    list_display = ["address", "customer", "supplier", "is_primary_billing", "is_primary_shipping"]
    list_filter = ["is_primary_billing", "is_primary_shipping"]
    search_fields = ["address__title", "address__city", "customer__name", "supplier__name"]
    autocomplete_fields = ["address", "customer", "supplier"]
    list_select_related = ["address", "customer", "supplier"]


@admin.register(SalesTeamMember)
class SalesTeamMemberAdmin(admin.ModelAdmin):
    list_display = ["customer", "sales_person", "contribution"]
    search_fields = ["customer__name", "customer__code", "sales_person__name"]
    autocomplete_fields = ["customer", "sales_person"]
    list_select_related = ["customer", "sales_person"]
