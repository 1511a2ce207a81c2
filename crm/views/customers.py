"""The customer list (search, filters, sort) and a customer's page."""

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from config.exporting import export_filename, export_response
from crm import exports, selectors
from crm.forms import PATH_SEPARATOR
from crm.forms.customer_filters import CustomerFilterForm
from crm.models import Customer, CustomerGroup, Territory
from crm.panels import customer_panels

PAGE_SIZE = 50


@permission_required("crm.view_customer", raise_exception=True)
def customer_list(request):
    form = CustomerFilterForm(request.GET)
    if form.is_valid():
        customers = selectors.customer_list(**form.cleaned_data)
    else:
        customers = Customer.objects.none()
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page_obj": page, "sort_headers": form.sort_headers()}
    return render(request, "crm/customers/list.html", context)


@permission_required("crm.view_customer", raise_exception=True)
def customer_export(request, file_format):
    """The customer list with its search, filters and sort, every row, as CSV or XLSX."""
    form = CustomerFilterForm(request.GET)
    if not form.is_valid():  # the list says what is wrong
        return redirect(f"{reverse('crm:customer_list')}?{request.GET.urlencode()}")
    return export_response(
        file_format,
        filename=export_filename("customers", file_format),
        headers=exports.CUSTOMER_HEADERS,
        rows=exports.customer_rows(selectors.customer_list(**form.cleaned_data)),
    )


@permission_required("crm.view_customer", raise_exception=True)
def customer_detail(request, pk):
    customer = get_object_or_404(selectors.customers_for_detail(), pk=pk)
    context = {
        "customer": customer,
        "contact_links": selectors.contact_links_of(party=customer),
        "address_links": selectors.address_links_of(party=customer),
        "ledgers": selectors.ledgers_with_balances(party=customer),
        "credit": selectors.customer_credit(customer=customer),
        "group_path": _path(CustomerGroup, customer.customer_group_id),
        "territory_path": _path(Territory, customer.territory_id),
        "history": selectors.change_history(customer),
        "panels": customer_panels(request, customer),
    }
    return render(request, "crm/customers/detail.html", context)


def _path(model, pk) -> str:
    return PATH_SEPARATOR.join(selectors.tree_paths(model)[pk])
