"""Receivables: the panel on the customer page, the customer's ledger statement (page, print
and CSV) and the accounts receivable aging report (page, CSV and XLSX)."""

import csv
from functools import cached_property

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from config.exporting import CSV, XLSX, export_response, neutralise
from crm.models import Customer
from invoicing import exports, receivables
from invoicing.forms.receivables import AgingForm, StatementForm
from invoicing.receivables import AGING_AMOUNTS, AGING_COLUMNS

VIEW_RECEIVABLES = "invoicing.view_salesinvoice"
AGING_PAGE_SIZE = 50


def customer_panel(request, customer) -> dict | None:
    """The receivables panel's context on the customer page; left out without the right."""
    if not request.user.has_perm(VIEW_RECEIVABLES):
        return None
    today = timezone.localdate()
    return {"positions": receivables.customer_receivables(customer=customer, today=today)}


# --- the customer's ledger statement ------------------------------------------------------


@permission_required(VIEW_RECEIVABLES, raise_exception=True)
def statement(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    form = StatementForm(request.GET, customer=customer, today=timezone.localdate())
    result = receivables.statement(**form.statement_arguments()) if form.is_valid() else None
    context = {"customer": customer, "form": form, "statement": result}
    return render(request, "invoicing/receivables/statement.html", context)


@permission_required(VIEW_RECEIVABLES, raise_exception=True)
def statement_csv(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    form = StatementForm(request.GET, customer=customer, today=timezone.localdate())
    if not form.is_valid():  # the page says what is wrong
        return redirect(f"{reverse('invoicing:statement', args=[pk])}?{request.GET.urlencode()}")
    result = receivables.statement(**form.statement_arguments())
    filename = (
        f"statement-{customer.code}-{result.company.abbreviation}-"
        f"{result.date_from:%Y%m%d}-{result.date_to:%Y%m%d}.csv"
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8", headers=_attachment(filename))
    writer = csv.writer(response)

    def write(values):
        writer.writerow([neutralise(value) for value in values])

    write(["Date", "Voucher type", "Voucher number", "Remark", "Debit", "Credit", "Balance"])
    amount = _csv_amount
    write([result.date_from, "", "", "Opening balance", "", "", amount(result.opening)])
    for line in result.lines:
        voucher_type = (
            f"{line.voucher_type} (cancellation)" if line.is_reversal else line.voucher_type
        )
        write(
            [
                line.posting_date,
                voucher_type,
                line.voucher_number,
                line.remark,
                amount(line.debit),
                amount(line.credit),
                amount(line.balance),
            ]
        )
    totals = [amount(result.total_debit), amount(result.total_credit)]
    write(["", "", "", "Totals", *totals, ""])
    write([result.date_to, "", "", "Closing balance", "", "", amount(result.closing)])
    return response


# --- accounts receivable aging ------------------------------------------------------------


class CountedPaginator(Paginator):
    """A paginator told its count, which the aging totals query already gives."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self._count = count

    @cached_property
    def count(self):
        return self._count


@permission_required(VIEW_RECEIVABLES, raise_exception=True)
def aging(request):
    form = AgingForm(request.GET)
    as_of = timezone.localdate()
    context = {"form": form, "as_of": as_of}
    if form.is_valid():
        totals = receivables.aging_totals(as_of=as_of, **form.filters())
        rows = receivables.aging(as_of=as_of, order=form.cleaned_data["sort"], **form.filters())
        page = CountedPaginator(rows, AGING_PAGE_SIZE, count=totals["customers"]).get_page(
            request.GET.get("page")
        )
        for row in page.object_list:
            row["amounts"] = [row[key] for key in AGING_AMOUNTS]
        context |= {
            "page_obj": page,
            "totals": [totals[key] for key in AGING_AMOUNTS],
            "customers": totals["customers"],
            "sort_headers": (headers := form.sort_headers()),
            "amount_columns": [(label, headers[key]) for key, label in AGING_COLUMNS.items()],
            "csv_query": request.GET.urlencode(),
        }
    return render(request, "invoicing/receivables/aging.html", context)


@permission_required(VIEW_RECEIVABLES, raise_exception=True)
def aging_csv(request):
    return _aging_export(request, CSV)


@permission_required(VIEW_RECEIVABLES, raise_exception=True)
def aging_xlsx(request):
    return _aging_export(request, XLSX)


def _aging_export(request, file_format):
    """Every row of the aging page with its filters and sort (streamed for CSV)."""
    form = AgingForm(request.GET)
    if not form.is_valid():
        return redirect(f"{reverse('invoicing:aging')}?{request.GET.urlencode()}")
    as_of = timezone.localdate()
    rows = receivables.aging(as_of=as_of, order=form.cleaned_data["sort"], **form.filters())
    company = form.cleaned_data["company"]
    return export_response(
        file_format,
        filename=f"aging-{company.abbreviation}-{as_of:%Y%m%d}.{file_format}",
        headers=exports.AGING_HEADERS,
        rows=exports.aging_rows(rows),
    )


def _csv_amount(amount) -> str:
    """Plain figures for spreadsheets: "-1234.50", no thousands separators."""
    return f"{amount:.2f}"


def _attachment(filename) -> dict:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}
