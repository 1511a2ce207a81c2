"""The supplier form and the filters of the supplier list."""

from django import forms
from django.db.models import Q

from accounts.models import Company
from crm.models import Supplier

from . import BootstrapForm
from .customers import PartyForm


class SupplierForm(PartyForm):
    class Meta:
        model = Supplier
        fields = ["code", "name", "supplier_type", "company", "disabled"]


class SupplierFilterForm(BootstrapForm):
    STATUS_FILTERS = {"active": Q(disabled=False), "disabled": Q(disabled=True)}

    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or code"}),
    )
    company = forms.ModelChoiceField(
        Company.objects.all(), required=False, empty_label="All companies"
    )
    status = forms.ChoiceField(
        choices=[("", "Active and disabled"), ("active", "Active"), ("disabled", "Disabled")],
        required=False,
    )

    def filter(self, suppliers):
        """`suppliers` narrowed to the valid filters given (invalid ones are ignored)."""
        self.is_valid()
        data = self.cleaned_data
        if text := data.get("q"):
            suppliers = suppliers.filter(Q(name__icontains=text) | Q(code__icontains=text))
        if data.get("company"):
            suppliers = suppliers.filter(company=data["company"])
        if status := data.get("status"):
            suppliers = suppliers.filter(self.STATUS_FILTERS[status])
        return suppliers
