"""The choices of the receivables pages, read from the query string with defaults filled in:
the customer statement's company and period, the aging report's company, filters and sort."""

from django import forms

from accounts.models import Company
from config.forms import BootstrapForm, SortHeader, sort_headers
from crm.forms import PATH_SEPARATOR
from crm.forms.customer_filters import NodeChoiceField
from crm.models import CustomerGroup, PartyLedger, Territory
from invoicing.receivables import AGING_SORTS, DEFAULT_AGING_SORT
from pricing.forms import DATE_INPUT


class DefaultsForm(BootstrapForm):
    """A GET form where a parameter left out or empty takes the value `defaults` gives."""

    def __init__(self, data, *, defaults):
        given = {key: value for key, value in data.items() if value}
        super().__init__({**defaults, **given})


class LedgerChoiceField(forms.ModelChoiceField):
    """A customer's ledgers, chosen by company: `?company=<company pk>` gives the ledger."""

    def __init__(self, **kwargs):
        super().__init__(
            PartyLedger.objects.none(), to_field_name="company", empty_label=None, **kwargs
        )

    def label_from_instance(self, obj):
        return obj.company.name


class StatementForm(DefaultsForm):
    company = LedgerChoiceField(label="Company")
    date_from = forms.DateField(label="From", widget=DATE_INPUT)
    date_to = forms.DateField(label="To", widget=DATE_INPUT)

    def __init__(self, data, *, customer, today):
        super().__init__(
            data,
            defaults={
                "company": customer.company_id,
                "date_from": today.replace(month=1, day=1),
                "date_to": today,
            },
        )
        self.fields["company"].queryset = (
            PartyLedger.objects.filter(customer=customer)
            .select_related("company", "account", "customer")
            .order_by("company__name")
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", f"The period ends on {end}, before it starts ({start}).")
        return cleaned

    def statement_arguments(self) -> dict:
        """The arguments of `invoicing.receivables.statement`."""
        return {
            "ledger": self.cleaned_data["company"],
            "date_from": self.cleaned_data["date_from"],
            "date_to": self.cleaned_data["date_to"],
        }


class AgingForm(DefaultsForm):
    company = forms.ModelChoiceField(Company.objects.all(), empty_label=None)
    customer_group = NodeChoiceField(CustomerGroup, required=False, empty_label="Any group")
    territory = NodeChoiceField(Territory, required=False, empty_label="Any territory")
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data):
        first_company = Company.objects.order_by("name").values_list("pk", flat=True).first()
        super().__init__(data, defaults={"company": first_company, "sort": DEFAULT_AGING_SORT})

    def clean_sort(self):
        """An unknown sort (an old bookmark, a hand-edited URL) falls back to the default."""
        sort = self.cleaned_data["sort"]
        return sort if sort.lstrip("-") in AGING_SORTS else DEFAULT_AGING_SORT

    def filters(self) -> dict:
        """The arguments of `invoicing.receivables.aging` (and `aging_totals`) but the date."""
        return {key: self.cleaned_data[key] for key in ("company", "customer_group", "territory")}

    def current_sort(self) -> str:
        return self.cleaned_data["sort"] if self.is_valid() else DEFAULT_AGING_SORT

    def sort_headers(self) -> dict[str, SortHeader]:
        """Amounts sort largest first, the customer A to Z; a second click reverses."""
        amounts = [column for column in AGING_SORTS if column != "customer"]
        return sort_headers(self.data, AGING_SORTS, self.current_sort(), descending_first=amounts)

    def selected_names(self) -> list[str]:
        """The group and territory filtered by, as paths from the root (for the printout)."""
        return [
            PATH_SEPARATOR.join(node.tree_names)
            for node in (
                self.cleaned_data.get("customer_group"),
                self.cleaned_data.get("territory"),
            )
            if node is not None
        ]
