"""The reports' choices, read from the query string with defaults filled in, and the form
that sets a target on a territory or sales person."""

from django import forms
from django.utils import timezone

from accounts.models import Company
from config.forms import BootstrapForm, ListFilterForm, SortHeader, sort_headers
from crm.forms import PATH_SEPARATOR
from crm.forms.customer_filters import NodeChoiceField
from crm.models import CustomerGroup, Territory
from pricing.forms import DATE_INPUT

from . import reports
from .models import FIRST_YEAR, LAST_YEAR, MonthlyDistribution

LONGEST_PERIOD_DAYS = 3 * 366  # the previous-period comparison doubles what is read


class ReportForm(ListFilterForm):
    """Company, period, customer group, territory and sort; a parameter left out or empty
    takes its default (the first company, this year up to today)."""

    date_range = ("date_from", "date_to")
    descending_first: tuple = ()

    company = forms.ModelChoiceField(Company.objects.order_by("name"), empty_label=None)
    date_from = forms.DateField(label="From", widget=DATE_INPUT)
    date_to = forms.DateField(label="To", widget=DATE_INPUT)
    customer_group = NodeChoiceField(CustomerGroup, required=False, empty_label="Any group")
    territory = NodeChoiceField(Territory, required=False, empty_label="Any territory")
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data, *, today=None):
        today = today or timezone.localdate()
        first_company = Company.objects.order_by("name").values_list("pk", flat=True).first()
        defaults = {
            "company": first_company,
            "date_from": today.replace(month=1, day=1).isoformat(),
            "date_to": today.isoformat(),
            "sort": self.default_sort,
        }
        given = {key: value for key, value in data.items() if value}
        super().__init__({**defaults, **given})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and (end - start).days >= LONGEST_PERIOD_DAYS:
            self.add_error(
                "date_to",
                f"The period from {start} to {end} is longer than three years; "
                "choose a shorter one.",
            )
        return cleaned

    def filters(self) -> reports.ReportFilters:
        data = self.cleaned_data
        return reports.ReportFilters(
            company=data["company"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            customer_group=data["customer_group"],
            territory=data["territory"],
        )

    def sort_headers(self) -> dict[str, SortHeader]:
        """Amounts sort largest first, names A to Z; a second click reverses."""
        return sort_headers(
            self.data, self.sorts, self.current_sort(), descending_first=self.descending_first
        )

    def filter_fields(self):
        return self.visible_fields()

    def scope(self) -> list[str]:
        """What the report covers, for its heading and printout."""
        data = self.cleaned_data
        parts = [
            data["company"].name,
            f"{data['date_from']:%Y-%m-%d} to {data['date_to']:%Y-%m-%d}",
        ]
        for node in (data.get("customer_group"), data.get("territory")):
            if node is not None:
                parts.append(PATH_SEPARATOR.join(node.tree_names))
        return parts


class ProfitabilityForm(ReportForm):
    sorts = reports.PROFITABILITY_SORTS
    default_sort = reports.DEFAULT_PROFITABILITY_SORT
    descending_first = tuple(reports.PROFITABILITY_AMOUNTS)


class TreeSalesForm(ReportForm):
    sorts = reports.TREE_SORTS
    default_sort = reports.DEFAULT_TREE_SORT
    descending_first = ("net_sales", "previous", "change")


class TargetsForm(ReportForm):
    sorts = reports.TARGET_SORTS
    default_sort = "name"
    descending_first = ("target", "achieved", "variance", "percent")


class CommissionForm(ReportForm):
    sorts = reports.COMMISSION_SORTS
    default_sort = reports.DEFAULT_COMMISSION_SORT
    descending_first = ("invoices", "net_sales", "commission")


class TargetForm(BootstrapForm):
    """A year's target of the territory or sales person whose page it is on."""

    company = forms.ModelChoiceField(Company.objects.order_by("name"), empty_label=None)
    fiscal_year = forms.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR)
    amount = forms.DecimalField(max_digits=18, decimal_places=2, min_value=0)
    distribution = forms.ModelChoiceField(
        MonthlyDistribution.objects.all(),
        required=False,
        empty_label="Evenly over the twelve months",
        help_text="How the year's amount splits into months.",
    )
