"""Address pages."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from config.exporting import export_filename, export_response
from crm import exports, selectors, services
from crm.forms.addresses import AddressFilterForm, AddressForm, AddressLinkForm
from crm.models import Address, AddressLink

from .contacts import (
    page_of,
    party_from_query,
    party_of,
    redirect_back,
    safe_next,
    saved,
    way_back,
)


@permission_required("crm.view_address", raise_exception=True)
def address_list(request):
    filters = AddressFilterForm(request.GET)
    page = page_of(request, selectors.addresses_for_list(**filters.filters()))
    return render(request, "crm/addresses/list.html", {"page_obj": page, "filters": filters})


@permission_required("crm.view_address", raise_exception=True)
def address_export(request, file_format):
    """The addresses the list's search and filters find, every row, as CSV or XLSX."""
    addresses = selectors.addresses_for_list(**AddressFilterForm(request.GET).filters())
    return export_response(
        file_format,
        filename=export_filename("addresses", file_format),
        headers=exports.ADDRESS_HEADERS,
        rows=exports.address_rows(addresses),
    )


@permission_required("crm.view_address", raise_exception=True)
def address_detail(request, pk):
    return _render_detail(request, get_object_or_404(Address, pk=pk), AddressLinkForm())


def _render_detail(request, address, link_form):
    return render(
        request,
        "crm/addresses/detail.html",
        {
            "address": address,
            "links": selectors.party_links(AddressLink).filter(address=address),
            "link_form": link_form,
        },
    )


@permission_required("crm.add_address", raise_exception=True)
def address_create(request):
    return _edit(request, Address(), party=party_from_query(request))


@permission_required("crm.change_address", raise_exception=True)
def address_update(request, pk):
    return _edit(request, get_object_or_404(Address, pk=pk))


def _edit(request, address, party=None):
    created = address.pk is None
    form = AddressForm(request.POST if request.method == "POST" else None, instance=address)
    if form.is_bound and form.is_valid():
        address = services.save_address(address=form.save(commit=False), party=party)
        return saved(request, address, created=created, party=party)
    return render(
        request,
        "crm/addresses/form.html",
        {
            "form": form,
            "address": address,
            "party": party,
            "next": safe_next(request),
            "back_url": way_back(request, address, party),
        },
    )


@permission_required("crm.delete_address", raise_exception=True)
def address_delete(request, pk):
    address = get_object_or_404(Address, pk=pk)
    if request.method == "POST":
        address.delete()
        messages.success(request, f"Address {address} deleted.")
        return redirect_back(request, reverse("crm:address_list"))
    return render(
        request,
        "crm/addresses/delete.html",
        {
            "address": address,
            "links": selectors.party_links(AddressLink).filter(address=address),
            "next": safe_next(request),
        },
    )


@permission_required("crm.change_address", raise_exception=True)
@require_POST
def address_link(request, pk):
    address = get_object_or_404(Address, pk=pk)
    form = AddressLinkForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, address, form)
    party = form.cleaned_data["party"]
    services.link_address(address=address, party=party, primary_for=form.primary_for())
    messages.success(request, f"{address} is now an address of {party}.")
    return redirect_back(request, reverse("crm:address_detail", args=[pk]))


@permission_required("crm.change_address", raise_exception=True)
@require_POST
def address_unlink(request, pk, link_pk):
    link = _link(pk, link_pk)
    services.unlink_address(address=link.address, party=party_of(link))
    messages.success(request, f"{link.address} is no longer an address of {party_of(link)}.")
    return redirect_back(request, reverse("crm:address_detail", args=[pk]))


@permission_required("crm.change_address", raise_exception=True)
@require_POST
def address_set_primary(request, pk, link_pk, purpose):
    if purpose not in services.ADDRESS_PURPOSES:
        raise Http404(f"An address is primary for billing or shipping, not {purpose}.")
    link = _link(pk, link_pk)
    services.set_primary_address(party=party_of(link), address=link.address, purpose=purpose)
    messages.success(
        request, f"{link.address} is now the primary {purpose} address of {party_of(link)}."
    )
    return redirect_back(request, reverse("crm:address_detail", args=[pk]))


def _link(address_pk, link_pk):
    return get_object_or_404(
        AddressLink.objects.select_related("address", "customer", "supplier"),
        pk=link_pk,
        address_id=address_pk,
    )
