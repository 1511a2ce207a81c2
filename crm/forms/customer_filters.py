"""The customer list's search, filters and sort, all read from the query string."""

from django import forms

from accounts.models import Company
from config.forms import SortHeader, sort_headers
from crm.models import CustomerGroup, SalesPartner, SalesPerson, Territory
from crm.selectors import CUSTOMER_SORTS, CUSTOMER_STATUSES

from . import BootstrapForm, LeafChoiceField

DEFAULT_SORT = "name"


class NodeChoiceField(LeafChoiceField):
    """Any node of a tree, a group or a leaf, labelled with its path from the root."""

    def __init__(self, model, **kwargs):
        super().__init__(model, **kwargs)
        self.queryset = model.objects.with_tree_fields().tree_fields(tree_names="name")


class CustomerFilterForm(BootstrapForm):
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

    def clean_sort(self):
        """An unknown sort (an old bookmark, a hand-edited URL) falls back to the default."""
        sort = self.cleaned_data["sort"]
        return sort if sort.lstrip("-") in CUSTOMER_SORTS else DEFAULT_SORT

    def filter_fields(self):
        return [field for field in self.visible_fields() if field.name != "q"]

    def filters_in_use(self) -> bool:
        return any(self.data.get(field.name) for field in self.filter_fields())

    def current_sort(self) -> str:
        if self.is_valid():
            return self.cleaned_data["sort"]
        return DEFAULT_SORT

    def sort_headers(self) -> dict[str, SortHeader]:
        return sort_headers(self.data, CUSTOMER_SORTS, self.current_sort())
