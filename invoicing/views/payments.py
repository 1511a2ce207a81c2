"""Payment pages: the list, receiving a payment, a payment's receipt, cancelling it and
allocating what is left of it (an advance) to invoices."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import ZERO, Company
from accounts.templatetags.money import money
from crm.models import Customer
from invoicing import services
from invoicing.forms.payments import (
    ALLOCATE_OLDEST,
    CUSTOMERS_SHOWN,
    AllocateAdvanceForm,
    CustomerSearchForm,
    PaymentFilterForm,
    PaymentForm,
)
from invoicing.models import Payment, SalesInvoice
from invoicing.selectors import payments_for_detail

PAGE_SIZE = 50
SUBMITTED = Q(docstatus=Payment.DocStatus.SUBMITTED)


@permission_required("invoicing.view_payment", raise_exception=True)
def payment_list(request):
    form = PaymentFilterForm(request.GET)
    payments = form.payments() if form.is_valid() else Payment.objects.none()
    page = Paginator(payments, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = payments.order_by().aggregate(
        amount=Sum("amount", filter=SUBMITTED, default=ZERO),
        unallocated=Sum("unallocated", filter=SUBMITTED, default=ZERO),
        submitted=Count("pk", filter=SUBMITTED),
        cancelled=Count("pk", filter=~SUBMITTED),
    )
    totals["allocated"] = totals["amount"] - totals["unallocated"]
    context = {
        "form": form,
        "page_obj": page,
        "totals": totals,
        "sort_headers": form.sort_headers(),
        "customer": form.cleaned_data.get("customer") if form.is_valid() else None,
    }
    return render(request, "invoicing/payments/list.html", context)


@permission_required("invoicing.add_payment", raise_exception=True)
def payment_create(request):
    """Reached from a customer or invoice (?customer=, ?company=, ?invoice=), or first a
    search for the customer."""
    invoice = _found(SalesInvoice.objects.select_related("customer"), request.GET.get("invoice"))
    customer = _found(Customer.objects.all(), request.GET.get("customer"))
    if invoice is not None and customer not in (None, invoice.customer):
        invoice = None
    customer = customer or (invoice.customer if invoice else None)
    if customer is None:
        search = CustomerSearchForm(request.GET)
        context = {"search": search, "customers": search.customers(), "limit": CUSTOMERS_SHOWN}
        return render(request, "invoicing/payments/customer_search.html", context)

    posted = request.POST if request.method == "POST" else None
    company = _found(Company.objects.all(), (request.POST or request.GET).get("company")) or (
        invoice.company if invoice else customer.company
    )
    form = PaymentForm(posted, customer=customer, company=company, invoice=invoice)
    if posted is not None and posted.get("action") == ALLOCATE_OLDEST:
        form = form.filled_oldest_first()
    elif posted is not None and form.is_valid():
        try:
            payment = services.receive_payment(
                customer=customer,
                allocations=form.allocations(),
                user=request.user,
                **form.payment_fields(),
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _received_message(payment))
            return redirect("invoicing:payment_detail", pk=payment.pk)
    if invoice is not None and form.invoice is None and posted is None:
        messages.info(request, f"{invoice} has nothing outstanding in {company} to allocate to.")
    context = {"form": form, "customer": customer, "company": company}
    return render(request, "invoicing/payments/form.html", context)


def _found(queryset, pk):
    """The row with primary key `pk` (a query-string value), or None."""
    if not pk or not str(pk).isdigit():
        return None
    return queryset.filter(pk=pk).first()


def _received_message(payment) -> str:
    allocations = payment.allocations.select_related("invoice")
    settled = ", ".join(f"{row.invoice} {money(row.amount)}" for row in allocations)
    message = f"Payment {payment} of {money(payment.amount)} received from {payment.customer}."
    if settled:
        message += f" Allocated: {settled}."
    if payment.unallocated:
        message += f" {money(payment.unallocated)} is kept as an advance."
    return message


@permission_required("invoicing.view_payment", raise_exception=True)
def payment_detail(request, pk):
    payment = get_object_or_404(payments_for_detail(), pk=pk)
    return render(request, "invoicing/payments/detail.html", {"payment": payment})


@permission_required("invoicing.change_payment", raise_exception=True)
def payment_cancel(request, pk):
    payment = get_object_or_404(payments_for_detail(), pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.cancel_payment(payment=payment, user=request.user)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, f"Payment {payment} cancelled; its journal is reversed.")
            return redirect("invoicing:payment_detail", pk=payment.pk)
    context = {"payment": payment, "given_back": _given_back(payment), "error": error}
    return render(request, "invoicing/payments/cancel.html", context)


@dataclass(frozen=True)
class GivenBack:
    """What cancelling a payment gives back to one invoice."""

    invoice: SalesInvoice
    amount: Decimal

    @property
    def outstanding_after(self) -> Decimal:
        return self.invoice.outstanding + self.amount


def _given_back(payment) -> list[GivenBack]:
    amounts, invoices = {}, {}
    for allocation in payment.allocations.all():
        pk = allocation.invoice_id
        invoices[pk] = allocation.invoice
        amounts[pk] = amounts.get(pk, ZERO) + allocation.amount
    return [GivenBack(invoices[pk], amounts[pk]) for pk in invoices]


@permission_required("invoicing.change_payment", raise_exception=True)
def payment_allocate(request, pk):
    payment = get_object_or_404(Payment.objects.select_related("company", "customer"), pk=pk)
    posted = request.POST if request.method == "POST" else None
    form = AllocateAdvanceForm(posted, payment=payment)
    if posted is not None and posted.get("action") == ALLOCATE_OLDEST:
        form = form.filled_oldest_first()
    elif posted is not None and form.is_valid():
        try:
            services.allocate_advance(
                payment=payment,
                allocations=form.allocations(),
                allocated_on=form.cleaned_data["allocated_on"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            payment.refresh_from_db(fields=["unallocated"])
            left = money(payment.unallocated)
            messages.success(request, f"Advance of {payment} allocated; {left} is left over.")
            return redirect("invoicing:payment_detail", pk=payment.pk)
    return render(request, "invoicing/payments/allocate.html", {"payment": payment, "form": form})
