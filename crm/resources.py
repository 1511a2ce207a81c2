"""django-import-export resources of the CRM's master data: the "Export existing" downloads.

Each resource has the columns of its import (crm.importing_masters) under the same headers
and gives each value the way the import reads it (a parent, territory or company by its name
or abbreviation, a choice by its label; numbers and yes/no as such), so an exported file can
be edited and imported back.
"""

from import_export import fields, resources, widgets

from config.record_import import headers_of

from .importing_masters import (
    CustomerGroupImport,
    SalesPartnerImport,
    SalesPersonImport,
    SupplierImport,
    TerritoryImport,
)
from .models import CustomerGroup, SalesPartner, SalesPerson, Supplier, Territory

FLAG = widgets.BooleanWidget(coerce_to_string=False)
NUMBER = widgets.DecimalWidget(coerce_to_string=False)
WHOLE_NUMBER = widgets.IntegerWidget(coerce_to_string=False)
TREE_FIELDS = ["name", "parent", "is_group"]


def column(importer, name, attribute=None, widget=None) -> fields.Field:
    header = headers_of(importer)[name]
    return fields.Field(attribute=attribute or name, column_name=header, widget=widget)


class TreeResource(resources.ModelResource):
    """A tree's nodes, each with its parent by name (empty for the top of the tree)."""

    name = column(TerritoryImport, "name")
    parent = column(TerritoryImport, "parent", "parent__name")
    is_group = column(TerritoryImport, "is_group", widget=FLAG)

    def get_queryset(self):
        return self._meta.model.objects.select_related("parent").order_by("name")


class CustomerGroupResource(TreeResource):
    credit_limit = column(CustomerGroupImport, "credit_limit", widget=NUMBER)
    credit_days_rule = column(CustomerGroupImport, "credit_days_rule")
    credit_days = column(CustomerGroupImport, "credit_days", widget=WHOLE_NUMBER)
    default_price_list = column(
        CustomerGroupImport, "default_price_list", "default_price_list__name"
    )

    class Meta:
        model = CustomerGroup
        fields = [
            *TREE_FIELDS,
            "credit_limit",
            "credit_days_rule",
            "credit_days",
            "default_price_list",
        ]

    def get_queryset(self):
        return super().get_queryset().select_related("default_price_list")

    def dehydrate_credit_days_rule(self, group):
        return group.credit_days_rule.replace("_", " ")


class TerritoryResource(TreeResource):
    class Meta:
        model = Territory
        fields = TREE_FIELDS


class SalesPersonResource(TreeResource):
    commission_rate = column(SalesPersonImport, "commission_rate", widget=NUMBER)
    user = column(SalesPersonImport, "user", "user__username")

    class Meta:
        model = SalesPerson
        fields = [*TREE_FIELDS, "commission_rate", "user"]

    def get_queryset(self):
        return super().get_queryset().select_related("user")


class SalesPartnerResource(resources.ModelResource):
    name = column(SalesPartnerImport, "name")
    partner_type = column(SalesPartnerImport, "partner_type")
    territory = column(SalesPartnerImport, "territory", "territory__name")
    commission_rate = column(SalesPartnerImport, "commission_rate", widget=NUMBER)

    class Meta:
        model = SalesPartner
        fields = ["name", "partner_type", "territory", "commission_rate"]

    def get_queryset(self):
        return SalesPartner.objects.select_related("territory").order_by("name")

    def dehydrate_partner_type(self, partner):
        return partner.get_partner_type_display()


class SupplierResource(resources.ModelResource):
    code = column(SupplierImport, "code")
    name = column(SupplierImport, "name")
    supplier_type = column(SupplierImport, "supplier_type")
    company = column(SupplierImport, "company", "company__abbreviation")
    disabled = column(SupplierImport, "disabled", widget=FLAG)

    class Meta:
        model = Supplier
        fields = ["code", "name", "supplier_type", "company", "disabled"]

    def get_queryset(self):
        return Supplier.objects.select_related("company").order_by("code")

    def dehydrate_supplier_type(self, supplier):
        return supplier.get_supplier_type_display()
