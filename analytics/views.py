"""The report pages and their downloads, the dashboard (the home page), and the targets of a
territory or sales person."""

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from config.exporting import FORMATS, export_filename, export_response
from crm.models import CustomerGroup, SalesPerson, Territory
from crm.selectors import home_counts
from invoicing.views.receivables import CountedPaginator

from . import charts, exports, forms, reports, services
from .models import SalesTarget

VIEW_REPORTS = "analytics.view_reports_salestarget"
PAGE_SIZE = 50
CHART_ROWS = 12


@dataclass(frozen=True)
class Report:
    """One report: its page's form and figures, and its download's columns and rows."""

    slug: str  # the URL name, and the download's file name
    title: str
    form_class: type
    template: str
    figures: Callable  # (form, request) -> the page's context
    download: Callable  # form -> (headers, rows)


@permission_required(VIEW_REPORTS, raise_exception=True)
def report_page(request, report):
    form = report.form_class(request.GET)
    context = {"form": form, "report": report}
    if form.is_valid():
        query = request.GET.urlencode()
        context["downloads"] = {
            file_format: f"{reverse(f'analytics:{report.slug}_export', args=[file_format])}?{query}"
            for file_format in FORMATS
        }
        context |= {"sort_headers": form.sort_headers(), **report.figures(form, request)}
    return render(request, report.template, context)


@permission_required(VIEW_REPORTS, raise_exception=True)
def report_download(request, report, file_format):
    form = report.form_class(request.GET)
    if not form.is_valid():  # the page says what is wrong
        return redirect(f"{reverse(f'analytics:{report.slug}')}?{request.GET.urlencode()}")
    headers, rows = report.download(form)
    return export_response(
        file_format,
        filename=export_filename(report.slug, file_format),
        headers=headers,
        rows=rows,
    )


# --- customer profitability ---------------------------------------------------------------


def _profitability_figures(form, request) -> dict:
    filters = form.filters()
    totals = reports.profitability_totals(filters)
    rows = reports.customer_profitability(filters, order=form.cleaned_data["sort"])
    page = CountedPaginator(rows, PAGE_SIZE, count=totals["customers"]).get_page(
        request.GET.get("page")
    )
    shown = [reports.profitability_row(row) for row in page.object_list]
    charted = shown[:CHART_ROWS]
    chart = charts.bar_chart(
        labels=[row["name"] for row in charted],
        series=[
            ("Net sales", [row["net_sales"] for row in charted]),
            ("Cost", [row["cost"] for row in charted]),
            ("Gross margin", [row["gross_margin"] for row in charted]),
        ],
        horizontal=True,
        height=120 + 36 * len(charted),
    )
    return {"page_obj": page, "rows": shown, "totals": totals, "chart": chart if charted else ""}


def _profitability_download(form):
    rows = reports.customer_profitability(form.filters(), order=form.cleaned_data["sort"])
    return exports.PROFITABILITY_HEADERS, exports.profitability_rows(rows)


# --- sales rolled up a tree ---------------------------------------------------------------


def _label(model) -> str:
    return model._meta.verbose_name.capitalize()


def _tree_figures(model):
    def figures(form, request) -> dict:
        rows = reports.sales_by_tree(model, form.filters(), order=form.cleaned_data["sort"])
        top = min((row.depth for row in rows), default=0)
        charted = [row for row in rows if row.depth == top + 1][:CHART_ROWS] or rows[:1]
        chart = charts.bar_chart(
            labels=[row.name for row in charted],
            series=[
                ("This period", [row.net_sales for row in charted]),
                ("Previous period", [row.previous for row in charted]),
            ],
        )
        return {"rows": rows, "chart": chart if rows else "", "node_label": _label(model)}

    return figures


def _tree_download(model):
    def download(form):
        rows = reports.sales_by_tree(model, form.filters(), order=form.cleaned_data["sort"])
        return exports.TREE_HEADERS, exports.tree_rows(rows)

    return download


# --- targets against what was achieved ------------------------------------------------------


def _target_figures(model):
    def figures(form, request) -> dict:
        rows = reports.targets_vs_achieved(model, form.filters(), order=form.cleaned_data["sort"])
        # the chart follows the first row with a target (the top row has none, often)
        top = next((row for row in rows if row.has_target), rows[0] if rows else None)
        chart = ""
        if top is not None:
            chart = charts.bar_chart(
                labels=[f"{month.month:%b %Y}" for month in top.months],
                series=[
                    ("Target", [month.target for month in top.months]),
                    ("Achieved", [month.achieved for month in top.months]),
                ],
            )
        return {"rows": rows, "top": top, "chart": chart, "node_label": _label(model)}

    return figures


def _target_download(model):
    def download(form):
        rows = reports.targets_vs_achieved(model, form.filters(), order=form.cleaned_data["sort"])
        return exports.TARGET_HEADERS, exports.target_rows(rows)

    return download


# --- sales partner commission ---------------------------------------------------------------


def _commission_figures(form, request) -> dict:
    rows = list(reports.partner_commission(form.filters(), order=form.cleaned_data["sort"]))
    for row in rows:
        row["commission_due"] = reports.commission_due(row)
    totals = {
        "invoices": sum(row["invoices"] for row in rows),
        "net_sales": sum(row["net_sales"] for row in rows),
        "commission_due": sum(row["commission_due"] for row in rows),
    }
    charted = rows[:CHART_ROWS]
    chart = charts.bar_chart(
        labels=[row["name"] for row in charted],
        series=[("Commission due", [row["commission_due"] for row in charted])],
        horizontal=True,
        height=120 + 36 * len(charted),
    )
    return {"rows": rows, "totals": totals, "chart": chart if rows else ""}


def _commission_download(form):
    rows = reports.partner_commission(form.filters(), order=form.cleaned_data["sort"])
    return exports.COMMISSION_HEADERS, exports.commission_rows(rows)


REPORTS = {
    report.slug: report
    for report in [
        Report(
            "profitability",
            "Customer profitability",
            forms.ProfitabilityForm,
            "analytics/profitability.html",
            _profitability_figures,
            _profitability_download,
        ),
        Report(
            "sales_by_group",
            "Sales by customer group",
            forms.TreeSalesForm,
            "analytics/tree_sales.html",
            _tree_figures(CustomerGroup),
            _tree_download(CustomerGroup),
        ),
        Report(
            "sales_by_territory",
            "Sales by territory",
            forms.TreeSalesForm,
            "analytics/tree_sales.html",
            _tree_figures(Territory),
            _tree_download(Territory),
        ),
        Report(
            "territory_targets",
            "Territory target vs achieved",
            forms.TargetsForm,
            "analytics/targets.html",
            _target_figures(Territory),
            _target_download(Territory),
        ),
        Report(
            "sales_person_targets",
            "Sales person target vs achieved",
            forms.TargetsForm,
            "analytics/targets.html",
            _target_figures(SalesPerson),
            _target_download(SalesPerson),
        ),
        Report(
            "commission",
            "Sales partner commission",
            forms.CommissionForm,
            "analytics/commission.html",
            _commission_figures,
            _commission_download,
        ),
    ]
}


# --- the dashboard --------------------------------------------------------------------------


def dashboard(request):
    """The home page: the dashboard for those who may see the reports, and the counts of
    what the system holds for everyone."""
    context = {"counts": home_counts()}
    if request.user.has_perm(VIEW_REPORTS):
        context |= _dashboard_figures(timezone.localdate())
    return render(request, "analytics/dashboard.html", context)


def _dashboard_figures(today) -> dict:
    month = today.replace(day=1)
    month_end = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return {
        "today": today,
        "month": month,
        "month_end": month_end,
        "receivables": list(reports.receivables_by_company(today=today)),
        "month_sales": reports.sales_against_target(month=month),
        "top_customers": list(reports.top_customers(date_from=month, date_to=month_end)),
        "credit_watch": reports.credit_watch(),
        "recent_imports": list(reports.recent_imports()),
        "recent_invoices": list(reports.recent_invoices()),
    }


# --- the targets of a territory or sales person -------------------------------------------

TARGET_OWNERS = {"territories": Territory, "sales-persons": SalesPerson}


def _owner_field(model) -> str:
    return "territory" if model is Territory else "sales_person"


@permission_required("analytics.view_salestarget", raise_exception=True)
def node_targets(request, kind, pk):
    """A territory's or sales person's targets; with the rights, a form to set one and a
    button to remove each."""
    model = TARGET_OWNERS.get(kind)
    if model is None:
        raise Http404(f"Targets are set on territories and sales persons, not {kind}.")
    node = get_object_or_404(model, pk=pk)
    owner = {_owner_field(model): node}
    user = request.user
    can_set = user.has_perm("analytics.add_salestarget") and user.has_perm(
        "analytics.change_salestarget"
    )
    form = forms.TargetForm(
        request.POST if "amount" in request.POST else None,
        initial={"fiscal_year": timezone.localdate().year},
    )
    if request.method == "POST":
        if "remove" in request.POST:
            return _remove_target(request, owner)
        if not can_set:
            raise PermissionDenied
        if form.is_valid():
            try:
                target = services.set_target(**owner, **form.cleaned_data)
            except ValidationError as error:
                form.add_validation_error(error)
            else:
                messages.success(request, f"Saved the target {target}.")
                return redirect(request.path)
    targets = (
        SalesTarget.objects.filter(**owner)
        .select_related("company", "distribution")
        .order_by("-fiscal_year", "company__name")
    )
    context = {
        "kind": kind,
        "node": node,
        "noun": model._meta.verbose_name,
        "plural": model._meta.verbose_name_plural,
        "rows": [
            (
                target,
                list(zip(calendar.month_abbr[1:], services.monthly_targets(target), strict=True)),
            )
            for target in targets
        ],
        "form": form,
        "can_set": can_set,
        "can_remove": user.has_perm("analytics.delete_salestarget"),
        "report": "territory_targets" if model is Territory else "sales_person_targets",
    }
    return render(request, "analytics/node_targets.html", context)


def _by_month(target) -> list[tuple[str, object]]:
    return list(zip(calendar.month_abbr[1:], services.monthly_targets(target), strict=True))


def _remove_target(request, owner):
    if not request.user.has_perm("analytics.delete_salestarget"):
        raise PermissionDenied
    target = SalesTarget.objects.filter(pk=request.POST["remove"], **owner).first()
    if target is None:
        messages.warning(request, "That target was removed already.")
    else:
        services.remove_target(target=target)
        messages.success(request, f"Removed the target {target}.")
    return redirect(request.path)
