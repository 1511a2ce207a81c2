"""Suppliers: list, detail with ledgers, contacts and addresses, create, edit, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from crm import selectors
from crm.forms.suppliers import SupplierFilterForm, SupplierForm
from crm.models import Supplier

from .customer_forms import party_delete_page

SUPPLIERS_PER_PAGE = 50


@permission_required("crm.view_supplier", raise_exception=True)
def supplier_list(request):
    filters = SupplierFilterForm(request.GET)
    suppliers = filters.filter(Supplier.objects.select_related("company"))
    page_obj = Paginator(suppliers, SUPPLIERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "crm/suppliers/supplier_list.html", {"filters": filters, "page_obj": page_obj}
    )


@permission_required("crm.view_supplier", raise_exception=True)
def supplier_detail(request, pk):
    supplier = get_object_or_404(Supplier.objects.select_related("company"), pk=pk)
    context = {
        "supplier": supplier,
        "ledgers": selectors.ledgers_with_balances(party=supplier),
        "contact_links": selectors.contact_links_of(party=supplier),
        "address_links": selectors.address_links_of(party=supplier),
    }
    return render(request, "crm/suppliers/supplier_detail.html", context)


@permission_required("crm.add_supplier", raise_exception=True)
def supplier_create(request):
    return _supplier_form_page(request, Supplier())


@permission_required("crm.change_supplier", raise_exception=True)
def supplier_update(request, pk):
    return _supplier_form_page(request, get_object_or_404(Supplier, pk=pk))


def _supplier_form_page(request, supplier):
    creating = supplier.pk is None
    form = SupplierForm(request.POST or None, instance=supplier)
    if request.method == "POST" and form.is_valid():
        try:
            supplier = form.save()
        except ValidationError as error:  # from opening the ledger
            form.add_validation_error(error)
        else:
            messages.success(request, f"Supplier {supplier} {'created' if creating else 'saved'}.")
            return redirect("crm:supplier_detail", pk=supplier.pk)
    return render(
        request,
        "crm/suppliers/supplier_form.html",
        {"form": form, "supplier": None if creating else supplier},
    )


@permission_required("crm.delete_supplier", raise_exception=True)
def supplier_delete(request, pk):
    return party_delete_page(request, get_object_or_404(Supplier, pk=pk))
