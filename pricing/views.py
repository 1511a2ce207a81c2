"""Price lists with their item prices, and items: list, detail, create, edit, end a price."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from . import selectors, services
from .forms import EndItemPriceForm, ItemForm, ItemPriceForm, PriceListForm
from .models import Item, ItemPrice, PriceList

PER_PAGE = 50


@permission_required("pricing.view_pricelist", raise_exception=True)
def price_list_list(request):
    return render(request, "pricing/price_list_list.html", {"price_lists": selectors.price_lists()})


@permission_required("pricing.view_pricelist", raise_exception=True)
def price_list_detail(request, pk):
    price_list = get_object_or_404(PriceList, pk=pk)
    prices = selectors.prices_in(price_list, today=timezone.localdate())
    page_obj = Paginator(prices, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "pricing/price_list_detail.html",
        {"price_list": price_list, "page_obj": page_obj},
    )


@permission_required("pricing.add_pricelist", raise_exception=True)
def price_list_create(request):
    return _price_list_form_page(request, PriceList())


@permission_required("pricing.change_pricelist", raise_exception=True)
def price_list_update(request, pk):
    return _price_list_form_page(request, get_object_or_404(PriceList, pk=pk))


def _price_list_form_page(request, price_list):
    creating = price_list.pk is None
    form = PriceListForm(request.POST or None, instance=price_list)
    if request.method == "POST" and form.is_valid():
        price_list = form.save()
        messages.success(request, f"Price list {price_list} {'created' if creating else 'saved'}.")
        return redirect("pricing:price_list_detail", pk=price_list.pk)
    crumbs = [("Price lists", reverse("pricing:price_list_list"))]
    if not creating:
        crumbs.append((price_list.name, _detail_url(price_list)))
    return _form_page(
        request,
        form,
        title=f"Edit {price_list.name}" if not creating else "New price list",
        crumbs=crumbs,
    )


@permission_required("pricing.add_itemprice", raise_exception=True)
def price_list_add_price(request, pk):
    price_list = get_object_or_404(PriceList, pk=pk)
    form = ItemPriceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item_price = services.add_item_price(price_list=price_list, **form.cleaned_data)
        except ValidationError as error:
            form.add_validation_error(error)
        else:
            messages.success(request, f"Price added: {item_price}.")
            return redirect(_detail_url(price_list))
    return _item_price_form_page(
        request, form, price_list, title="Add an item price", submit="Add price"
    )


@permission_required("pricing.change_itemprice", raise_exception=True)
def item_price_update(request, pk):
    item_price = _item_price_or_404(pk)
    form = ItemPriceForm(request.POST or None, item_price=item_price)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_item_price(item_price=item_price, **form.cleaned_data)
        except ValidationError as error:
            form.add_validation_error(error)
        else:
            messages.success(request, f"Price saved: {item_price}.")
            return redirect(_detail_url(item_price.price_list))
    return _item_price_form_page(
        request, form, item_price.price_list, title=f"Edit the price of {item_price.item}"
    )


@permission_required("pricing.change_itemprice", raise_exception=True)
def item_price_end(request, pk):
    item_price = _item_price_or_404(pk)
    form = EndItemPriceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_item_price(item_price=item_price, **form.cleaned_data)
        except ValidationError as error:
            form.add_validation_error(error)
        else:
            messages.success(
                request, f"Price of {item_price.item.code} ends {item_price.valid_upto}."
            )
            return redirect(_detail_url(item_price.price_list))
    return _item_price_form_page(
        request,
        form,
        item_price.price_list,
        title=f"End the price of {item_price.item}",
        intro=f"{item_price.rate.normalize():f} {item_price.price_list.currency}, "
        f"{services.window_text(item_price)}. It stops applying after the day you choose.",
        submit="End price",
    )


def _item_price_or_404(pk):
    return get_object_or_404(ItemPrice.objects.select_related("item", "price_list"), pk=pk)


def _item_price_form_page(request, form, price_list, **context):
    crumbs = [
        ("Price lists", reverse("pricing:price_list_list")),
        (price_list.name, _detail_url(price_list)),
    ]
    return _form_page(request, form, crumbs=crumbs, **context)


def _detail_url(price_list):
    return reverse("pricing:price_list_detail", kwargs={"pk": price_list.pk})


@permission_required("pricing.view_item", raise_exception=True)
def item_list(request):
    query = request.GET.get("q", "").strip()
    items = Paginator(selectors.items_matching(query), PER_PAGE)
    page_obj = items.get_page(request.GET.get("page"))
    return render(request, "pricing/item_list.html", {"query": query, "page_obj": page_obj})


@permission_required("pricing.add_item", raise_exception=True)
def item_create(request):
    return _item_form_page(request, Item())


@permission_required("pricing.change_item", raise_exception=True)
def item_update(request, pk):
    return _item_form_page(request, get_object_or_404(Item, pk=pk))


def _item_form_page(request, item):
    creating = item.pk is None
    form = ItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        item = form.save()
        messages.success(request, f"Item {item} {'created' if creating else 'saved'}.")
        return redirect("pricing:item_list")
    return _form_page(
        request,
        form,
        title=f"Edit {item.code}" if not creating else "New item",
        crumbs=[("Items", reverse("pricing:item_list"))],
    )


def _form_page(request, form, *, title, crumbs, intro="", submit="Save"):
    """One form in a card under breadcrumbs; Cancel goes back to the last crumb."""
    return render(
        request,
        "pricing/form.html",
        {"form": form, "title": title, "crumbs": crumbs, "intro": intro, "submit": submit},
    )
