from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Account, Company, GLEntry, JournalEntry, NamingSeries


@admin.register(Company)
class CompanyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "abbreviation", "default_currency", "receivable_group", "credit_limit"]
    search_fields = ["name", "abbreviation"]
    list_filter = ["default_currency"]
    autocomplete_fields = ["receivable_group", "payable_group", "default_income_account"]

    def get_fields(self, request, obj=None):
        fields = [
            "name",
            "abbreviation",
            "default_currency",
            "credit_limit",
            "credit_days_rule",
            "credit_days",
            "default_selling_price_list",
        ]
        if obj is not None:  # the accounts exist once the company does
            fields += ["receivable_group", "payable_group", "default_income_account"]
        return fields


class GLEntryInline(admin.TabularInline):
    model = GLEntry
    fields = ["account", "debit", "credit", "remark"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "number",
        "company",
        "parent",
        "is_group",
        "root_type",
        "account_type",
        "frozen",
    ]
    list_filter = ["company", "is_group", "root_type", "account_type", "frozen"]
    search_fields = ["name", "number"]
    autocomplete_fields = ["parent"]
    list_select_related = ["company", "parent"]
    readonly_fields = ["root_type_note"]
    fields = [
        "company",
        "parent",
        "name",
        "number",
        "is_group",
        "root_type",
        "root_type_note",
        "account_type",
        "frozen",
    ]

    @admin.display(description="")
    def root_type_note(self, obj):
        return "Accounts with a parent take the parent's root type."

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return [*self.readonly_fields, "company"]
        return self.readonly_fields

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        protected += [
            f"{account} has postings; freeze it instead."
            for account in objs
            if account.has_postings()
        ]
        return deleted, counts, perms_needed, protected


@admin.register(JournalEntry)
class JournalEntryAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "company",
        "posting_date",
        "voucher_type",
        "voucher_number",
        "remark",
        "reverses",
    ]
    list_filter = ["company", "voucher_type", "posting_date"]
    search_fields = ["voucher_number", "remark"]
    date_hierarchy = "posting_date"
    inlines = [GLEntryInline]
    actions = ["cancel_with_reversal"]
    list_select_related = ["company", "reverses"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    @admin.action(description="Cancel selected entries (post reversals)", permissions=["view"])
    def cancel_with_reversal(self, request, queryset):
        if not request.user.has_perm("accounts.add_journalentry"):
            self.message_user(request, "You may not post journal entries.", messages.ERROR)
            return
        for journal in queryset:
            try:
                services.reverse_journal(journal=journal, user=request.user)
            except ValidationError as error:
                self.message_user(request, "; ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, f"{journal} cancelled by a reversal.", messages.SUCCESS)


@admin.register(GLEntry)
class GLEntryAdmin(admin.ModelAdmin):
    list_display = ["journal", "account", "debit", "credit", "remark"]
    list_filter = ["journal__company"]
    search_fields = ["account__name", "remark"]
    list_select_related = ["journal", "account"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(NamingSeries)
class NamingSeriesAdmin(admin.ModelAdmin):
    list_display = ["prefix", "current"]
    search_fields = ["prefix"]
    readonly_fields = ["current"]
