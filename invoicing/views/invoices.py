"""Sales invoice pages: the list, the draft form and its htmx helpers, the invoice itself, and
submitting, cancelling and deleting it."""

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from accounts.models import ZERO, Company, GLEntry
from accounts.services import to_money
from config.exporting import export_filename, export_response
from crm.models import Customer
from crm.selectors import credit_limit_for, customer_outstanding, customers_matching
from invoicing import exports, services
from invoicing.forms.invoices import (
    LINES_PREFIX,
    InvoiceFilterForm,
    InvoiceForms,
    invoice_totals,
)
from invoicing.models import Payment, PaymentAllocation, SalesInvoice
from invoicing.selectors import invoices_with_details

PAGE_SIZE = 50
SUGGESTIONS = 20
SEARCH_LENGTH = 200  # characters of a customer search that count
LINE_PREFIX = re.compile(rf"{LINES_PREFIX}-(\d+)")
FORM_TEMPLATE = "invoicing/invoices/form.html"
CONFIRM_TEMPLATE = "invoicing/invoices/confirm.html"


# --- the list -----------------------------------------------------------------------------


@dataclass
class UncountedPage:
    """A page of a list too long to count: it knows only whether another page follows."""

    object_list: list
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.object_list)

    def has_previous(self):
        return self.number > 1

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1


@permission_required("invoicing.view_salesinvoice", raise_exception=True)
def invoice_list(request):
    """Without a search or filter, the newest invoices page by page, neither counted nor
    totalled (there may be millions); with one, the count and totals in one aggregate."""
    form = InvoiceFilterForm(request.GET)
    invoices = form.invoices()
    rows = invoices.select_related("company", "customer").order_by(*form.ordering())
    narrowed = form.is_valid() and any(
        value for name, value in form.cleaned_data.items() if name != "sort"
    )
    totals = invoice_totals(invoices) if narrowed else None
    if totals is not None:
        page = _CountedPaginator(rows, PAGE_SIZE, count=totals["count"]).get_page(
            request.GET.get("page")
        )
        page.object_list = list(page.object_list)
    else:
        page = _uncounted_page(rows, request.GET.get("page"))
    today = timezone.localdate()
    for invoice in page.object_list:
        invoice.status_label = invoice.status_on(today)
    context = {
        "form": form,
        "page_obj": page,
        "counted": totals is not None,
        "totals": totals,
        "sort_headers": form.sort_headers(),
        "customer": form.cleaned_data.get("customer") if form.is_valid() else None,
    }
    return render(request, "invoicing/invoices/list.html", context)


@permission_required("invoicing.view_salesinvoice", raise_exception=True)
def invoice_export(request, file_format):
    """The invoices the list's search and filters find, in its order, as CSV or XLSX."""
    form = InvoiceFilterForm(request.GET)
    if not form.is_valid():  # the list says what is wrong
        return redirect(f"{reverse('invoicing:invoice_list')}?{request.GET.urlencode()}")
    return export_response(
        file_format,
        filename=export_filename("invoices", file_format),
        headers=exports.INVOICE_HEADERS,
        rows=exports.invoice_rows(form.invoices().order_by(*form.ordering())),
    )


class _CountedPaginator(Paginator):
    """A paginator given the count (from the totals' aggregate) instead of counting again."""

    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count = count


def _uncounted_page(rows, number) -> UncountedPage:
    number = int(number) if str(number).isdigit() and int(number) > 0 else 1
    start = (number - 1) * PAGE_SIZE
    found = list(rows[start : start + PAGE_SIZE + 1])
    return UncountedPage(found[:PAGE_SIZE], number, has_next=len(found) > PAGE_SIZE)


# --- the form ------------------------------------------------------------------------------


@permission_required("invoicing.add_salesinvoice", raise_exception=True)
def invoice_create(request):
    """A new draft; `?customer=` (and `?company=`) start it with that customer's defaults."""
    if request.method == "POST":
        return _save_or_show(request, InvoiceForms(request.POST, may_set_rate=_may_set(request)))
    customer = _found(Customer.objects.select_related("company"), request.GET.get("customer"))
    company = _found(Company.objects.all(), request.GET.get("company"))
    forms = InvoiceForms.for_new(customer=customer, company=company, may_set_rate=_may_set(request))
    return _form_page(request, forms)


@permission_required("invoicing.change_salesinvoice", raise_exception=True)
def invoice_update(request, pk):
    invoice = get_object_or_404(_with_lines(), pk=pk)
    if not invoice.is_draft:
        messages.error(request, _only_drafts(invoice, "edited"))
        return redirect("invoicing:invoice_detail", pk=invoice.pk)
    if request.method == "POST":
        forms = InvoiceForms(request.POST, invoice=invoice, may_set_rate=_may_set(request))
        return _save_or_show(request, forms)
    return _form_page(request, InvoiceForms.for_invoice(invoice, may_set_rate=_may_set(request)))


def _save_or_show(request, forms):
    """Save through the service, or show the page again: with one more line, with the
    defaults of a newly chosen customer filled in, or with every error in its place."""
    if "add_line" in request.POST:
        return _form_page(request, forms.with_extra_line())
    valid = forms.is_valid()
    if forms.header.is_valid() and forms.needs_defaults():
        filled = forms.with_defaults()
        messages.info(
            request,
            f"Filled in the defaults for {filled.header['customer_search'].value()}; "
            "check them, then save.",
        )
        return _form_page(request, filled)
    if valid:
        save = services.update_draft_invoice if forms.invoice else services.create_draft_invoice
        try:
            invoice = save(**forms.service_arguments(user=request.user))
        except ValidationError as error:
            forms.add_service_error(error)
        else:
            messages.success(request, f"{invoice} saved.")
            if invoice.due_date_note:
                messages.info(request, invoice.due_date_note)
            return redirect("invoicing:invoice_detail", pk=invoice.pk)
    return _form_page(request, forms)


def _form_page(request, forms):
    return render(request, FORM_TEMPLATE, _form_context(forms))


def _form_context(forms) -> dict:
    return {
        "forms": forms,
        "form": forms.header,
        "formset": forms.lines,
        "invoice": forms.invoice,
        "defaults": forms.defaults,
        "total": forms.total(),
        "crosses_limit": forms.crosses_credit_limit(),
    }


def _with_lines():
    return SalesInvoice.objects.select_related("company", "customer").prefetch_related("lines")


def _may_write_invoices(view):
    """The form's helpers serve both new invoices and drafts being edited."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        user = request.user
        if not (
            user.has_perm("invoicing.add_salesinvoice")
            or user.has_perm("invoicing.change_salesinvoice")
        ):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


@_may_write_invoices
def invoice_customer_search(request):
    """Up to 20 customers whose name or code (or contact) matches what was typed."""
    typed = request.GET.get("customer_search", request.GET.get("q", ""))
    text = " ".join(typed.split())[:SEARCH_LENGTH]
    customers = []
    if text:
        customers = (
            Customer.objects.filter(pk__in=customers_matching(text))
            .select_related("company")
            .order_by("name", "code")[:SUGGESTIONS]
        )
    return render(
        request,
        "invoicing/invoices/_customer_suggestions.html",
        {"customers": customers, "text": text},
    )


@_may_write_invoices
def invoice_customer_defaults(request):
    """The defaults panel for the form as it stands, and (out of band) the header fields
    filled from it: company, due date, sales partner and commission."""
    forms = _forms_from(request).with_defaults()
    return render(request, "invoicing/invoices/_defaults_response.html", _form_context(forms))


@_may_write_invoices
def invoice_item_rate(request):
    """One line's rate cell: the rate of its item in the price list valid on the posting
    date, or a message saying there is none."""
    line = LINE_PREFIX.fullmatch(request.GET.get("line", ""))
    forms = _forms_from(request)
    if line is None or int(line[1]) >= len(forms.lines.forms):
        return HttpResponse("")
    form = forms.lines.forms[int(line[1])]
    forms.fill_rates(forms_=[form])
    return render(request, "invoicing/invoices/_line_rate.html", {"line": form})


def _forms_from(request) -> InvoiceForms:
    """The form as the page holds it (sent along by htmx), for a new invoice or a draft."""
    draft = _found(_with_lines().filter(docstatus="draft"), request.GET.get("invoice"))
    return InvoiceForms(request.GET.copy(), invoice=draft, may_set_rate=_may_set(request))


def _may_set(request) -> bool:
    return services.may_set_rates_of(request.user)


def _found(queryset, pk):
    return queryset.filter(pk=pk).first() if str(pk or "").isdigit() else None


# --- the invoice --------------------------------------------------------------------------


@permission_required("invoicing.view_salesinvoice", raise_exception=True)
def invoice_detail(request, pk):
    invoice = get_object_or_404(_detailed(), pk=pk)
    lines = list(invoice.lines.all())
    for line in lines:
        line.quantity_shown = _number(line.quantity)
        line.rate_shown = _number(line.rate, places=2)
    allocations = list(invoice.allocations.all())
    context = {
        "invoice": invoice,
        "status": invoice.status,
        "lines": lines,
        "commission_amount": to_money(invoice.total * invoice.commission_rate / 100),
        "allocations": allocations,
        "paid": sum(
            (a.amount for a in allocations if a.payment.docstatus == Payment.DocStatus.SUBMITTED),
            ZERO,
        ),
        **_actions(request.user, invoice),
    }
    return render(request, "invoicing/invoices/detail.html", context)


def _number(value: Decimal, places=0) -> str:
    """A quantity or rate without trailing zeros, but with at least `places` decimals:
    3.000000 -> "3", 1,250.5 -> "1,250.5"; a rate 10.000000 -> "10.00"."""
    value = value.normalize()
    if -value.as_tuple().exponent < places:
        value = value.quantize(Decimal(1).scaleb(-places))
    return f"{value:,f}"


def _detailed():
    return (
        invoices_with_details()
        .select_related("due_date_extended_by", "journal__reversed_by")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=PaymentAllocation.objects.select_related("payment").order_by(
                    "allocated_on", "pk"
                ),
            ),
            Prefetch("journal__lines", queryset=GLEntry.objects.select_related("account")),
        )
    )


def _actions(user, invoice) -> dict:
    """Which buttons the invoice offers this user, by its state and their permissions."""
    may_change = user.has_perm("invoicing.change_salesinvoice")
    submitted = invoice.docstatus == SalesInvoice.DocStatus.SUBMITTED
    return {
        "can_edit": invoice.is_draft and may_change,
        "can_submit": invoice.is_draft and may_change,
        "can_delete": invoice.is_draft and user.has_perm("invoicing.delete_salesinvoice"),
        "can_cancel": submitted and invoice.outstanding == invoice.total and may_change,
        "can_receive_payment": submitted
        and invoice.outstanding > 0
        and user.has_perm("invoicing.add_payment"),
    }


@dataclass(frozen=True)
class CreditCheck:
    """The customer's credit in the invoice's company, as submitting would see it now."""

    limit: Decimal | None
    limit_origin: str
    outstanding: Decimal
    total: Decimal

    @property
    def after(self) -> Decimal:
        return self.outstanding + self.total

    @property
    def crossed(self) -> bool:
        return self.limit is not None and self.after > self.limit


def _credit_check(invoice) -> CreditCheck:
    limit, source = credit_limit_for(customer=invoice.customer, company=invoice.company)
    outstanding = customer_outstanding(customer=invoice.customer, company=invoice.company)
    return CreditCheck(limit, source.origin, outstanding, invoice.total)


@permission_required("invoicing.change_salesinvoice", raise_exception=True)
def invoice_submit(request, pk):
    invoice = get_object_or_404(_with_lines(), pk=pk)
    may_override = services.is_credit_controller(request.user)
    errors = []
    if request.method == "POST" and invoice.is_draft:
        override = may_override and request.POST.get("override_credit_limit") == "on"
        try:
            invoice = services.submit_invoice(
                invoice=invoice, user=request.user, override_credit_limit=override
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"Invoice {invoice.number} submitted.")
            if invoice.credit_override_note:
                messages.warning(request, invoice.credit_override_note)
            return redirect("invoicing:invoice_detail", pk=invoice.pk)
    credit = _credit_check(invoice)
    return render(
        request,
        CONFIRM_TEMPLATE,
        {
            "invoice": invoice,
            "label": invoice.number or f"draft invoice {invoice.pk}",
            "action": "submit",
            "allowed": invoice.is_draft,
            "refusal": "" if invoice.is_draft else _only_drafts(invoice, "submitted"),
            "errors": errors,
            "credit": credit,
            "offer_override": may_override and invoice.is_draft and credit.crossed,
        },
    )


@permission_required("invoicing.change_salesinvoice", raise_exception=True)
def invoice_cancel(request, pk):
    invoice = get_object_or_404(_with_lines().select_related("journal"), pk=pk)
    submitted = invoice.docstatus == SalesInvoice.DocStatus.SUBMITTED
    errors = []
    if request.method == "POST" and submitted:
        try:
            invoice = services.cancel_invoice(invoice=invoice, user=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"{invoice.number} cancelled; its journal is reversed.")
            return redirect("invoicing:invoice_detail", pk=invoice.pk)
    return render(
        request,
        CONFIRM_TEMPLATE,
        {
            "invoice": invoice,
            "label": invoice.number or f"draft invoice {invoice.pk}",
            "action": "cancel",
            "allowed": submitted and invoice.outstanding == invoice.total,
            "refusal": _cancel_refusal(invoice),
            "errors": errors,
        },
    )


@permission_required("invoicing.delete_salesinvoice", raise_exception=True)
def invoice_delete(request, pk):
    invoice = get_object_or_404(_with_lines(), pk=pk)
    errors = []
    if request.method == "POST" and invoice.is_draft:
        try:
            services.delete_draft_invoice(invoice=invoice)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, f"{invoice} deleted.")
            return redirect("invoicing:invoice_list")
    return render(
        request,
        CONFIRM_TEMPLATE,
        {
            "invoice": invoice,
            "label": invoice.number or f"draft invoice {invoice.pk}",
            "action": "delete",
            "allowed": invoice.is_draft,
            "refusal": "" if invoice.is_draft else _only_drafts(invoice, "deleted"),
            "errors": errors,
        },
    )


def _only_drafts(invoice, done) -> str:
    return f"{invoice} is {invoice.get_docstatus_display().lower()}; only a draft can be {done}."


def _cancel_refusal(invoice) -> str:
    if invoice.docstatus != SalesInvoice.DocStatus.SUBMITTED:
        state = invoice.get_docstatus_display().lower()
        return f"{invoice} is {state}; only a submitted invoice can be cancelled."
    if invoice.outstanding != invoice.total:
        return f"{invoice} has payments against it; cancel those payments first."
    return ""
