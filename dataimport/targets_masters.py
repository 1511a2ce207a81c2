"""The import page's targets for master data: customer groups, territories, sales persons,
sales partners, suppliers, price lists, items and item prices (see dataimport.targets)."""

from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Company
from analytics.importing import SalesTargetImport
from crm import importing_masters as crm_masters
from crm.models import CustomerGroup, SalesPartner, SalesPerson, Supplier, Territory
from pricing import importing as pricing_masters
from pricing.models import Item, PriceList

from .targets import Target

NO_DEFAULTS = "dataimport.forms.NoDefaultsForm"


def plain_importer(importer_class):
    """The target's importer factory for files that need no defaults from the page."""

    def build(*, mode, defaults, headers, user):
        return importer_class(mode=mode, headers=headers, user=user)

    return build


def links_by(model, field, url):
    """New records' keys -> (key, page) pairs, finding the records by `field` (one query)."""

    def links(keys: list[str]) -> list[tuple[str, str]]:
        ids = dict(model.objects.filter(**{f"{field}__in": keys}).values_list(field, "pk"))
        return [(key, url(ids[key])) for key in keys if key in ids]

    return links


def tree_url(slug):
    def url(pk):
        return f"{reverse('crm:tree', kwargs={'kind': slug})}#node-{pk}"

    return url


def page(name):
    def url(pk):
        return reverse(name, kwargs={"pk": pk})

    return url


def record_target(
    importer_class, *, importer=None, defaults_form=NO_DEFAULTS, key_fields=None, **fields
):
    """A Target whose columns and keys are its importer's (a config.record_import one)."""
    return Target(
        columns=importer_class.columns(),
        importer=importer or plain_importer(importer_class),
        key_fields=key_fields or importer_class.key_fields,
        defaults_form=defaults_form,
        **fields,
    )


def tree_target(name, label, model, importer_class, slug, example) -> Target:
    return record_target(
        importer_class,
        name=name,
        label=label,
        permission=f"crm.add_{model._meta.model_name}",
        example=example,
        links=links_by(model, "name", tree_url(slug)),
        resource=f"crm.resources.{model.__name__}Resource",
    )


# --- suppliers ------------------------------------------------------------------------------


def supplier_importer(*, mode, defaults, headers, user):
    company = Company.objects.filter(pk=defaults["company"]["id"]).first()
    if company is None:
        raise ValidationError(
            f"The default company {defaults['company']['name']} no longer exists; upload the "
            "file again and choose another."
        )
    return crm_masters.SupplierImport(mode=mode, headers=headers, user=user, defaults=company)


def describe_supplier_defaults(stored: dict) -> list[tuple[str, str]]:
    return [("Buying company", stored["company"]["name"])] if stored else []


def sales_target_links(keys: list[str]) -> list[tuple[str, str]]:
    """A target's key is "ABBR › year › owner": link the owner's targets page (the
    territory's, where a territory and a sales person share a name)."""
    owners = {key: key.rsplit(" › ", 1)[-1] for key in keys}
    pages = {}
    for kind, model in (("sales-persons", SalesPerson), ("territories", Territory)):
        for name, pk in model.objects.filter(name__in=owners.values()).values_list("name", "pk"):
            pages[name] = reverse("analytics:tree_targets", kwargs={"kind": kind, "pk": pk})
    return [(key, pages[owners[key]]) for key in keys if owners[key] in pages]


def item_price_links(keys: list[str]) -> list[tuple[str, str]]:
    """An item price's key is "price list › item code › valid from": link its price list."""
    names = {key: key.rsplit(" › ", 2)[0] for key in keys}
    ids = dict(PriceList.objects.filter(name__in=names.values()).values_list("name", "pk"))
    url = page("pricing:price_list_detail")
    return [(key, url(ids[names[key]])) for key in keys if names[key] in ids]


MASTER_TARGETS = [
    tree_target(
        "customer_groups",
        "Customer groups",
        CustomerGroup,
        crm_masters.CustomerGroupImport,
        "customer-groups",
        {
            "name": "Wholesale",
            "parent": "All Customer Groups",
            "is_group": "no",
            "credit_limit": "10000.00",
            "credit_days_rule": "fixed days",
            "credit_days": "30",
        },
    ),
    tree_target(
        "territories",
        "Territories",
        Territory,
        crm_masters.TerritoryImport,
        "territories",
        {"name": "Germany", "parent": "All Territories", "is_group": "no"},
    ),
    tree_target(
        "sales_persons",
        "Sales persons",
        SalesPerson,
        crm_masters.SalesPersonImport,
        "sales-persons",
        {
            "name": "Anna Schmidt",
            "parent": "Sales Team",
            "is_group": "no",
            "commission_rate": "2.5",
        },
    ),
    record_target(
        crm_masters.SalesPartnerImport,
        name="sales_partners",
        label="Sales partners",
        permission="crm.add_salespartner",
        example={
            "name": "Rhine Distribution",
            "partner_type": "Distributor",
            "territory": "Rest of the World",
            "commission_rate": "5",
        },
        links=links_by(SalesPartner, "name", page("crm:sales_partner_detail")),
        resource="crm.resources.SalesPartnerResource",
    ),
    record_target(
        crm_masters.SupplierImport,
        name="suppliers",
        label="Suppliers",
        permission="crm.add_supplier",
        importer=supplier_importer,
        defaults_form="dataimport.forms.SupplierDefaultsForm",
        example={
            "code": "SUPP-EXAMPLE",
            "name": "Nordic Paper AB",
            "supplier_type": "Company",
            "disabled": "no",
        },
        describe_defaults=describe_supplier_defaults,
        links=links_by(Supplier, "code", page("crm:supplier_detail")),
        resource="crm.resources.SupplierResource",
    ),
    record_target(
        pricing_masters.PriceListImport,
        name="price_lists",
        label="Price lists",
        permission="pricing.add_pricelist",
        example={
            "name": "Wholesale EUR",
            "currency": "EUR",
            "selling": "yes",
            "buying": "no",
            "enabled": "yes",
        },
        links=links_by(PriceList, "name", page("pricing:price_list_detail")),
        resource="pricing.resources.PriceListResource",
    ),
    record_target(
        pricing_masters.ItemImport,
        name="items",
        label="Items",
        permission="pricing.add_item",
        example={
            "code": "WIDGET-01",
            "name": "Steel widget",
            "unit_of_measure": "Nos",
            "standard_cost": "4.20",
            "disabled": "no",
        },
        links=links_by(Item, "code", page("pricing:item_update")),
        resource="pricing.resources.ItemResource",
    ),
    record_target(
        pricing_masters.ItemPriceImport,
        name="item_prices",
        label="Item prices",
        permission="pricing.add_itemprice",
        example={
            "price_list": "Wholesale EUR",
            "item": "WIDGET-01",
            "rate": "9.90",
            "valid_from": "2026-01-01",
            "valid_upto": "2026-12-31",
        },
        links=item_price_links,
        resource="pricing.resources.ItemPriceResource",
    ),
    record_target(
        SalesTargetImport,
        name="sales_targets",
        label="Sales targets",
        permission="analytics.add_salestarget",
        # the owner is a territory or a sales person: the file has either column
        key_fields=("company", "fiscal_year"),
        example={
            "company": "Demo Trading",
            "fiscal_year": "2027",
            "territory": "Germany",
            "amount": "250000.00",
            "distribution": "",
        },
        links=sales_target_links,
    ),
]
