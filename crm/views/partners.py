"""Sales partners: list, detail with their customers, create, edit, delete."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from crm import selectors, services
from crm.forms.partners import SalesPartnerForm
from crm.models import SalesPartner

PARTNERS_PER_PAGE = 50
CUSTOMERS_PER_PAGE = 50


@permission_required("crm.view_salespartner", raise_exception=True)
def sales_partner_list(request):
    query = request.GET.get("q", "").strip()
    partners = selectors.sales_partners()
    if query:
        partners = partners.filter(name__icontains=query)
    page_obj = Paginator(partners, PARTNERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "crm/partners/partner_list.html",
        {
            "query": query,
            "page_obj": page_obj,
            "partners": selectors.with_territory_paths(page_obj),
        },
    )


@permission_required("crm.view_salespartner", raise_exception=True)
def sales_partner_detail(request, pk):
    partner = get_object_or_404(SalesPartner, pk=pk)
    customers = partner.customers.select_related("company", "territory").order_by("name", "code")
    page_obj = Paginator(customers, CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    [partner] = selectors.with_territory_paths([partner])
    return render(
        request, "crm/partners/partner_detail.html", {"partner": partner, "page_obj": page_obj}
    )


@permission_required("crm.add_salespartner", raise_exception=True)
def sales_partner_create(request):
    return _partner_form_page(request, SalesPartner())


@permission_required("crm.change_salespartner", raise_exception=True)
def sales_partner_update(request, pk):
    return _partner_form_page(request, get_object_or_404(SalesPartner, pk=pk))


def _partner_form_page(request, partner):
    creating = partner.pk is None
    form = SalesPartnerForm(request.POST or None, instance=partner)
    if request.method == "POST" and form.is_valid():
        partner = form.save()
        messages.success(request, f"Sales partner {partner} {'created' if creating else 'saved'}.")
        return redirect("crm:sales_partner_detail", pk=partner.pk)
    return render(
        request,
        "crm/partners/partner_form.html",
        {"form": form, "partner": None if creating else partner},
    )


@permission_required("crm.delete_salespartner", raise_exception=True)
def sales_partner_delete(request, pk):
    partner = get_object_or_404(SalesPartner, pk=pk)
    blockers = services.sales_partner_deletion_blockers(partner)
    if request.method == "POST" and not blockers:
        try:
            services.delete_sales_partner(partner=partner)
        except ValidationError as error:  # a customer chose it since the page was shown
            blockers = error.messages
        else:
            messages.success(request, f"Sales partner {partner} deleted.")
            return redirect("crm:sales_partner_list")
    return render(
        request, "crm/partners/partner_delete.html", {"partner": partner, "blockers": blockers}
    )
