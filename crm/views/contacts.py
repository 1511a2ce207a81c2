"""Contact pages; the helpers at the top serve the address pages too."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.forms import all_valid
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_countries import countries

from config.exporting import export_filename, export_response
from crm import exports, selectors, services
from crm.forms.contacts import (
    PARTY_MODELS,
    ContactForm,
    ContactLinkForm,
    EmailFormSet,
    PhoneFormSet,
    row_initial,
)
from crm.models import Contact, ContactLink

PER_PAGE = 50


def safe_next(request) -> str | None:
    """The request's `next` URL when it points into this site, else None."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def redirect_back(request, fallback):
    return redirect(safe_next(request) or fallback)


def party_from_query(request):
    """The customer or supplier named by `?customer=<pk>` or `?supplier=<pk>`, or None."""
    for kind, model in PARTY_MODELS.items():
        pk = request.GET.get(kind)
        if pk is not None:
            if not pk.isdigit():
                raise Http404(f"No {kind} {pk}.")
            return get_object_or_404(model, pk=pk)
    return None


def party_of(link):
    """The customer or supplier of a contact or address link."""
    return link.customer or link.supplier


def party_url(party) -> str:
    return reverse(f"crm:{party._meta.model_name}_detail", args=[party.pk])


def way_back(request, thing, party=None) -> str:
    """Where a contact or address form leads back to: `next`, else the party it is being
    created for, else its own page (its list while it is new)."""
    name = thing._meta.model_name
    if party is not None:
        fallback = party_url(party)
    elif thing.pk:
        fallback = reverse(f"crm:{name}_detail", args=[thing.pk])
    else:
        fallback = reverse(f"crm:{name}_list")
    return safe_next(request) or fallback


def saved(request, thing, *, created, party):
    """The success message after saving a contact or an address, then the way back."""
    verb = "created" if created else "saved"
    linked = f" and linked to {party}" if party else ""
    messages.success(request, f"{thing._meta.verbose_name.capitalize()} {thing} {verb}{linked}.")
    return redirect(way_back(request, thing, party))


def page_of(request, rows):
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


# --- contacts -----------------------------------------------------------------------------


@permission_required("crm.view_contact", raise_exception=True)
def contact_list(request):
    search = request.GET.get("q", "")
    page = page_of(request, selectors.contacts_for_list(search=search))
    return render(request, "crm/contacts/list.html", {"page_obj": page, "q": search})


@permission_required("crm.view_contact", raise_exception=True)
def contact_export(request, file_format):
    """The contacts the list's search finds, every row, as CSV or XLSX."""
    contacts = selectors.contacts_for_list(search=request.GET.get("q", ""))
    return export_response(
        file_format,
        filename=export_filename("contacts", file_format),
        headers=exports.CONTACT_HEADERS,
        rows=exports.contact_rows(contacts),
    )


@permission_required("crm.view_contact", raise_exception=True)
def contact_detail(request, pk):
    return _render_detail(request, get_object_or_404(Contact, pk=pk), ContactLinkForm())


def _render_detail(request, contact, link_form):
    return render(
        request,
        "crm/contacts/detail.html",
        {
            "contact": contact,
            "links": selectors.party_links(ContactLink).filter(contact=contact),
            "link_form": link_form,
        },
    )


@permission_required("crm.add_contact", raise_exception=True)
def contact_create(request):
    return _edit(request, Contact(), party=party_from_query(request))


@permission_required("crm.change_contact", raise_exception=True)
def contact_update(request, pk):
    return _edit(request, get_object_or_404(Contact, pk=pk))


def _edit(request, contact, party=None):
    """The contact form with its emails and phones; saved together or not at all."""
    country = selectors.phone_country_hint(contact=contact, party=party)
    data = request.POST if request.method == "POST" else None
    form = ContactForm(data, instance=contact)
    emails = EmailFormSet(data, prefix="emails", initial=_rows(contact, "emails", "email"))
    phones = PhoneFormSet(
        data,
        prefix="phones",
        initial=_rows(contact, "phones", "number", shown=services.display_phone),
        country=country,
    )
    if data is not None and all_valid([form, emails, phones]):
        created = contact.pk is None
        contact = services.save_contact(
            contact=form.save(commit=False),
            emails=emails.rows,
            phones=phones.rows,
            phone_country=country,
            party=party,
        )
        return saved(request, contact, created=created, party=party)
    return render(
        request,
        "crm/contacts/form.html",
        {
            "form": form,
            "emails": emails,
            "phones": phones,
            "contact": contact,
            "party": party,
            "phone_country": countries.name(country) if country else "",
            "next": safe_next(request),
            "back_url": way_back(request, contact, party),
        },
    )


def _rows(contact, relation, field, shown=str):
    return row_initial(getattr(contact, relation).all(), field, shown=shown) if contact.pk else []


@permission_required("crm.delete_contact", raise_exception=True)
def contact_delete(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    if request.method == "POST":
        contact.delete()
        messages.success(request, f"Contact {contact} deleted.")
        return redirect_back(request, reverse("crm:contact_list"))
    return render(
        request,
        "crm/contacts/delete.html",
        {
            "contact": contact,
            "links": selectors.party_links(ContactLink).filter(contact=contact),
            "email_count": contact.emails.count(),
            "phone_count": contact.phones.count(),
            "next": safe_next(request),
        },
    )


@permission_required("crm.change_contact", raise_exception=True)
@require_POST
def contact_link(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    form = ContactLinkForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, contact, form)
    party = form.cleaned_data["party"]
    services.link_contact(contact=contact, party=party, primary=form.cleaned_data["primary"])
    role = "the primary contact" if form.cleaned_data["primary"] else "a contact"
    messages.success(request, f"{contact} is now {role} of {party}.")
    return redirect_back(request, reverse("crm:contact_detail", args=[pk]))


@permission_required("crm.change_contact", raise_exception=True)
@require_POST
def contact_unlink(request, pk, link_pk):
    link = _link(pk, link_pk)
    services.unlink_contact(contact=link.contact, party=party_of(link))
    messages.success(request, f"{link.contact} is no longer a contact of {party_of(link)}.")
    return redirect_back(request, reverse("crm:contact_detail", args=[pk]))


@permission_required("crm.change_contact", raise_exception=True)
@require_POST
def contact_set_primary(request, pk, link_pk):
    link = _link(pk, link_pk)
    services.set_primary_contact(party=party_of(link), contact=link.contact)
    messages.success(request, f"{link.contact} is now the primary contact of {party_of(link)}.")
    return redirect_back(request, reverse("crm:contact_detail", args=[pk]))


def _link(contact_pk, link_pk):
    return get_object_or_404(
        ContactLink.objects.select_related("contact", "customer", "supplier"),
        pk=link_pk,
        contact_id=contact_pk,
    )
