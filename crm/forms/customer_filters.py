"""The customer list's search, filters and sort, all read from the query string."""

from django import forms

from accounts.models import Company
from config.forms import ListFilterForm
from crm.models import CustomerGroup, SalesPartner, SalesPerson, Territory
from crm.selectors import CUSTOMER_SORTS, CUSTOMER_STATUSES

from . import LeafChoiceField

DEFAULT_SORT = "name"


class NodeChoiceField(LeafChoiceField):
    """Any node of a tree, a group or a leaf, labelled with its path from the root."""

    def __init__(self, model, **kwargs):
        super().__init__(model, **kwargs)
        self.queryset = model.objects.with_tree_fields().tree_fields(tree_names="name")


class CustomerFilterForm(ListFilterForm):
    sorts = CUSTOMER_SORTS
    default_sort = DEFAULT_SORT

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Name, code, email, phone or tax ID"}
        ),
    )
    customer_group = NodeChoiceField(CustomerGroup, required=False, empty_label="Any group")
    territory = NodeChoiceField(Territory, required=False, empty_label="Any territory")
    sales_person = NodeChoiceField(SalesPerson, required=False, empty_label="Anyone")
    sales_partner = forms.ModelChoiceField(
        SalesPartner.objects.all(), required=False, empty_label="Any partner"
    )
    company = forms.ModelChoiceField(Company.objects.all(), required=False, empty_label="Any")
    status = forms.ChoiceField(
        choices=[("", "Any"), *((key, key.capitalize()) for key in CUSTOMER_STATUSES)],
        required=False,
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)
