"""Create, edit and delete customers, and set their sales team."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect, render

from crm import selectors, services
from crm.forms.customers import CustomerForm, NewCustomerForms, sales_team_formset
from crm.models import Customer


@permission_required("crm.add_customer", raise_exception=True)
def customer_create(request):
    forms = NewCustomerForms(request.POST or None)
    if request.method == "POST" and forms.is_valid():
        try:
            customer = services.create_customer(**forms.to_create())
        except services.PartErrors as error:
            forms.add_part_errors(error)
        else:
            return _saved(request, customer, "created")
    return render(
        request,
        "crm/customer_forms/customer_form.html",
        {"form": forms.customer, "contact_form": forms.contact, "address_form": forms.address},
    )


@permission_required("crm.change_customer", raise_exception=True)
def customer_update(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        try:
            customer = form.save()
        except ValidationError as error:  # from opening the ledger, e.g. a company just changed
            form.add_validation_error(error)
        else:
            return _saved(request, customer, "saved")
    return render(
        request, "crm/customer_forms/customer_form.html", {"form": form, "customer": customer}
    )


def _saved(request, customer, verb):
    messages.success(request, f"Customer {customer} {verb}.")
    if warning := selectors.namesake_warning(customer):
        messages.warning(request, warning)
    for warning in selectors.credit_limit_warnings(set_on=customer):
        messages.warning(request, warning)
    return redirect("crm:customer_detail", pk=customer.pk)


@permission_required("crm.delete_customer", raise_exception=True)
def customer_delete(request, pk):
    return party_delete_page(request, get_object_or_404(Customer, pk=pk))


def party_delete_page(request, party):
    """Confirm and delete a customer or supplier, or say why not and offer to disable it.

    The caller checks the delete permission; disabling needs the change permission too.
    """
    may_change = request.user.has_perm(_permission(party, "change"))
    if request.method == "POST" and "disable" in request.POST:
        if not may_change:
            raise PermissionDenied
        return _disable(request, party)
    blockers = services.deletion_blockers(party)
    if request.method == "POST" and not blockers:
        try:
            party.delete()
        except ValidationError as error:  # a posting arrived since the page was shown
            blockers = error.messages
        except ProtectedError as error:
            blockers = [_still_used_message(party, error)]
        else:
            messages.success(request, f"{party} deleted.")
            return redirect(_url_name(party, "list"))
    context = {
        "party": party,
        "noun": party._meta.verbose_name,
        "noun_plural": party._meta.verbose_name_plural,
        "ledgers": list(party.ledgers.select_related("account")),
        "blockers": blockers,
        "list_url": _url_name(party, "list"),
        "detail_url": _url_name(party, "detail"),
        "can_disable": may_change and not party.disabled,
    }
    return render(request, "crm/customer_forms/party_delete.html", context)


def _disable(request, party):
    party.disabled = True
    party.save(update_fields=["disabled", "updated_at"])
    messages.success(request, f"{party} is disabled.")
    return redirect(_url_name(party, "detail"), pk=party.pk)


def _permission(party, action):
    return f"{party._meta.app_label}.{action}_{party._meta.model_name}"


def _url_name(party, page):
    return f"crm:{party._meta.model_name}_{page}"


def _still_used_message(party, error):
    kinds = sorted({str(obj._meta.verbose_name_plural) for obj in error.protected_objects})
    return (
        f"{party} is still used by {', '.join(kinds)}, so it cannot be deleted. Disable it instead."
    )


@permission_required("crm.change_customer", raise_exception=True)
def customer_sales_team(request, pk):
    customer = get_object_or_404(Customer, pk=pk)
    formset = sales_team_formset(customer, request.POST or None)
    team_errors = []
    if request.method == "POST" and formset.is_valid():
        try:
            services.set_sales_team(customer=customer, members=formset.members())
        except ValidationError as error:
            team_errors = error.messages
        else:
            messages.success(request, f"Sales team of {customer} saved.")
            return redirect("crm:customer_detail", pk=customer.pk)
    return render(
        request,
        "crm/customer_forms/sales_team.html",
        {"customer": customer, "formset": formset, "team_errors": team_errors},
    )
