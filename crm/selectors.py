"""Read models for the CRM."""

import operator
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import reduce
from itertools import pairwise

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.text import capfirst
from django_countries import countries
from simple_history.models import DeletedObject

from accounts.models import ZERO, Account, Company, GLEntry, JournalEntry
from accounts.templatetags.money import money
from accounts.terms import due_date, terms_text
from pricing.models import PriceList

from .models import (
    Address,
    AddressLink,
    Contact,
    ContactEmail,
    ContactLink,
    ContactPhone,
    Customer,
    CustomerGroup,
    PartyLedger,
    SalesPartner,
    SalesPerson,
    SalesTeamMember,
    Supplier,
    Territory,
)
from .services import normalize_phone


def home_counts() -> list[tuple[str, int]]:
    return [
        ("Companies", Company.objects.count()),
        ("Customers", Customer.objects.count()),
        ("Active customers", Customer.objects.active().count()),
        ("Suppliers", Supplier.objects.count()),
        ("Customer groups", CustomerGroup.objects.count()),
        ("Territories", Territory.objects.count()),
        ("Party ledgers", PartyLedger.objects.count()),
        ("Accounts", Account.objects.count()),
        ("Journal entries", JournalEntry.objects.count()),
    ]


def namesakes(customer, limit=5) -> list[Customer]:
    """Other customers with the same name (case-insensitive): possible duplicates."""
    return list(
        Customer.objects.filter(name__iexact=customer.name)
        .exclude(pk=customer.pk)
        .order_by("code")[:limit]
    )


def namesake_warning(customer) -> str:
    """The warning to show after saving a customer another customer shares a name with, or ""."""
    others = namesakes(customer)
    if not others:
        return ""
    codes = ", ".join(other.code for other in others)
    return (
        f"Another customer already has the name {customer.name}: {codes}. "
        "Check that this is not a duplicate."
    )


def ledgers_with_balances(*, party) -> list[PartyLedger]:
    """The party's ledgers with their company and account, each with `balance` (Dr minus Cr)."""
    return list(ledgers_annotated_with_balance().filter(**{party._meta.model_name: party}))


def contact_links_of(*, party):
    """The party's contact links, primary first, with each contact's emails and phones."""
    return (
        party.contact_links.select_related("contact")
        .prefetch_related("contact__emails", "contact__phones")
        .order_by("-is_primary", "contact__first_name", "contact__last_name", "pk")
    )


def address_links_of(*, party):
    """The party's address links, primary billing and shipping first."""
    return party.address_links.select_related("address").order_by(
        "-is_primary_billing", "-is_primary_shipping", "address__title", "address__city", "pk"
    )


def tree_paths(model) -> dict[int, list[str]]:
    """Each node's names from the root down, by pk, in one query (the trees are small)."""
    nodes = model.objects.with_tree_fields().tree_fields(tree_names="name")
    return {node.pk: node.tree_names for node in nodes}


def sales_partners():
    """Sales partners with their territory and `customer_count`: customers with them as default."""
    return (
        SalesPartner.objects.select_related("territory")
        .annotate(customer_count=Count("customers"))
        .order_by("name")  # Meta.ordering does not apply to a grouped query
    )


def with_territory_paths(partners):
    """Set `territory_path` (names from the root down) on each partner, in one query."""
    partners = list(partners)
    paths = tree_paths(Territory)
    for partner in partners:
        partner.territory_path = paths.get(partner.territory_id, [])
    return partners


# --- the customer list and a customer's page ------------------------------------------------

CUSTOMER_SORTS = {
    "code": ["code"],
    "name": ["name", "code"],
    "group": ["customer_group__name", "name", "code"],
    "territory": ["territory__name", "name", "code"],
}
CUSTOMER_STATUSES = {
    "active": Q(disabled=False),
    "disabled": Q(disabled=True),
    "frozen": Q(frozen=True),
}


def customer_list(
    *,
    q="",
    customer_group=None,
    territory=None,
    sales_person=None,
    sales_partner=None,
    company=None,
    status="",
    sort="name",
):
    """Customers found by `q` and the filters, sorted by a key of CUSTOMER_SORTS ("-" = desc).

    A group, territory or sales person stands for itself and every node below it. Each
    customer comes with `primary_contact_links` and its ledgers with balances, in the same
    number of queries for any number of customers.
    """
    customers = Customer.objects.select_related("customer_group", "territory")
    if q.strip():
        customers = customers.filter(pk__in=customers_matching(q))
    if customer_group:
        customers = customers.filter(customer_group__in=subtree(customer_group))
    if territory:
        customers = customers.filter(territory__in=subtree(territory))
    if sales_person:
        teams = SalesTeamMember.objects.filter(sales_person__in=subtree(sales_person))
        customers = customers.filter(pk__in=teams.values("customer_id"))
    if sales_partner:
        customers = customers.filter(default_sales_partner=sales_partner)
    if company:
        customers = customers.filter(company=company)
    if status:
        customers = customers.filter(CUSTOMER_STATUSES[status])
    return customers.order_by(*customer_ordering(sort)).prefetch_related(
        Prefetch(
            "contact_links", queryset=primary_contact_links(), to_attr="primary_contact_links"
        ),
        Prefetch("ledgers", queryset=ledgers_annotated_with_balance()),
    )


def customer_ordering(sort) -> list[str]:
    descending = sort.startswith("-")
    return [f"-{field}" if descending else field for field in CUSTOMER_SORTS[sort.lstrip("-")]]


def customers_matching(text):
    """Ids of customers whose name contains `text`, whose code or tax ID is `text`, or with a
    contact that has `text` in an email address or as a phone number (in any layout).

    A union of lookups that each use an index (see migration 0008) rather than one OR across
    joins, which PostgreSQL could only answer by reading every customer.
    """
    text = " ".join(text.split())
    customer_links = ContactLink.objects.filter(customer__isnull=False)
    emails = ContactEmail.objects.filter(email__icontains=text).values("contact_id")
    ids = [
        Customer.objects.filter(name__icontains=text).values("pk"),
        Customer.objects.filter(code__iexact=text).values("pk"),
        Customer.objects.filter(tax_id__iexact=text).values("pk"),
        customer_links.filter(contact_id__in=emails).values("customer_id"),
    ]
    if any(character.isdigit() for character in text):
        phones = ContactPhone.objects.filter(number=normalize_phone(text)).values("contact_id")
        ids.append(customer_links.filter(contact_id__in=phones).values("customer_id"))
    first, *others = [lookup.order_by() for lookup in ids]
    return first.union(*others)


def subtree(node):
    """The ids of `node` and of every node below it in its tree, as a subquery."""
    return type(node).objects.descendants(node, include_self=True).values("pk")


def primary_contact_links():
    """Primary contact links with their contact and its `primary_email` (or None)."""
    emails = ContactEmail.objects.filter(contact=OuterRef("contact_id"), is_primary=True)
    return (
        ContactLink.objects.filter(is_primary=True)
        .select_related("contact")
        .annotate(primary_email=Subquery(emails.values("email")[:1]))
    )


def ledgers_annotated_with_balance():
    """Party ledgers with company and account, and `balance`: debit minus credit, 0 unposted."""
    totals = (
        GLEntry.objects.filter(account=OuterRef("account_id"))
        .values("account_id")
        .annotate(balance=Sum("debit") - Sum("credit"))
        .values("balance")
    )
    return PartyLedger.objects.select_related("company", "account").annotate(
        balance=Coalesce(Subquery(totals), ZERO)
    )


def customers_for_detail():
    """Customers with the related rows their page shows next to the links and ledgers."""
    return Customer.objects.select_related(
        "customer_group", "territory", "company", "default_sales_partner"
    ).prefetch_related(
        Prefetch("sales_team", queryset=SalesTeamMember.objects.select_related("sales_person"))
    )


# --- change history -----------------------------------------------------------------------

HISTORY_SHOWN = 20
STAMPS = ["created_at", "updated_at"]  # set by every save, so never news


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    record: object  # a historical record: history_date, history_user, history_type
    changes: list[FieldChange] | None  # None: no earlier record to compare with


@dataclass(frozen=True)
class History:
    entries: list[HistoryEntry]
    has_older: bool


def change_history(instance, *, limit=HISTORY_SHOWN) -> History:
    """The latest `limit` saves of `instance`, newest first, each with the fields it changed.

    One query: the related objects come with the records, so changes can name them.
    """
    related = [field.name for field in instance._meta.concrete_fields if field.is_relation]
    records = list(
        instance.history.select_related("history_user", *related).order_by(
            "-history_date", "-history_id"
        )[: limit + 1]
    )
    entries = [
        HistoryEntry(newer, _changes(instance, newer, older))
        for newer, older in pairwise([*records, None])
    ]
    return History(entries=entries[:limit], has_older=len(records) > limit)


def _changes(instance, newer, older) -> list[FieldChange] | None:
    if older is None:
        return None
    delta = newer.diff_against(older, excluded_fields=STAMPS, foreign_keys_are_objs=True)
    changes = []
    for change in delta.changes:
        field = instance._meta.get_field(change.field)
        label = capfirst(field.verbose_name)
        changes.append(FieldChange(label, _shown(field, change.old), _shown(field, change.new)))
    return changes


def _shown(field, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, DeletedObject):
        return f"(deleted {field.related_model._meta.verbose_name})"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


# --- contacts and addresses ---------------------------------------------------------------

CONTACT_NAME_FIELDS = ("first_name", "middle_name", "last_name")
ADDRESS_SEARCH_FIELDS = ("title", "line1", "city", "postal_code")
PHONE_LIKE = re.compile(r"[\d\s()+\-./]+")


def contacts_for_list(*, search="") -> QuerySet[Contact]:
    """Contacts matching `search`, with their primary email and phone and their linked parties.

    A contact matches when every word of the search is in its name, or the search is part of
    one of its emails, or (for a search that looks like a phone number) its digits are part of
    one of its phones. The list costs the same few queries however many rows it shows.
    """
    contacts = Contact.objects.prefetch_related(
        Prefetch("emails", ContactEmail.objects.filter(is_primary=True), to_attr="primary_emails"),
        Prefetch("phones", ContactPhone.objects.filter(is_primary=True), to_attr="primary_phones"),
        Prefetch("links", party_links(ContactLink)),
    )
    search = search.strip()
    if not search:
        return contacts
    matches = _each_word_in(search, CONTACT_NAME_FIELDS) | Q(
        Exists(ContactEmail.objects.filter(contact=OuterRef("pk"), email__icontains=search))
    )
    digits = _phone_digits(search)
    if digits:
        matches |= Q(
            Exists(ContactPhone.objects.filter(contact=OuterRef("pk"), number__contains=digits))
        )
    return contacts.filter(matches)


def addresses_for_list(*, search="", country="", address_type="") -> QuerySet[Address]:
    """Addresses where every search word is in the title, line 1, city or postal code, in
    `country` and of `address_type` when given, with their linked parties."""
    addresses = Address.objects.prefetch_related(Prefetch("links", party_links(AddressLink)))
    if search.strip():
        addresses = addresses.filter(_each_word_in(search, ADDRESS_SEARCH_FIELDS))
    if country:
        addresses = addresses.filter(country=country)
    if address_type:
        addresses = addresses.filter(address_type=address_type)
    return addresses


def party_links(link_model) -> QuerySet:
    """Contact or address links with their customer or supplier, primary ones first."""
    primary_first = {
        ContactLink: ["-is_primary"],
        AddressLink: ["-is_primary_billing", "-is_primary_shipping"],
    }[link_model]
    return link_model.objects.select_related("customer", "supplier").order_by(
        *primary_first, "customer__name", "supplier__name", "pk"
    )


def address_countries() -> list[tuple[str, str]]:
    """(code, name) of every country that has addresses, by name: the list's country filter."""
    codes = Address.objects.order_by().values_list("country", flat=True).distinct()
    return sorted(((code, countries.name(code)) for code in codes), key=lambda pair: pair[1])


def phone_country_hint(*, contact=None, party=None) -> str | None:
    """The country of a primary address of `party`, or of a party `contact` is linked to.

    Phone numbers typed without "+" are read as numbers of this country.
    """
    links = AddressLink.objects.filter(Q(is_primary_billing=True) | Q(is_primary_shipping=True))
    if party is not None:
        links = links.filter(**{party._meta.model_name: party})
    elif contact is not None and contact.pk:
        links = links.filter(
            Q(customer__contact_links__contact=contact)
            | Q(supplier__contact_links__contact=contact)
        )
    else:
        return None
    return (
        links.order_by("-is_primary_billing", "pk")
        .values_list("address__country", flat=True)
        .first()
    )


def _each_word_in(text, fields) -> Q:
    """Every word of `text` is in one of `fields`: "ada love" finds Ada Lovelace."""
    condition = Q()
    for word in text.split():
        condition &= reduce(operator.or_, (Q(**{f"{field}__icontains": word}) for field in fields))
    return condition


def _phone_digits(text) -> str:
    """The digits to look for when `text` looks like a phone number, without the trunk prefix
    ("030 901820" -> "30901820", found in "+4930901820"); "" for any other text."""
    if not PHONE_LIKE.fullmatch(text):
        return ""
    digits = re.sub(r"\D", "", text).lstrip("0")
    return digits if len(digits) >= 3 else ""


# --- trees: customer groups, territories, sales persons -----------------------------------


@dataclass(frozen=True)
class TreeRow:
    node: object  # a CustomerGroup, Territory or SalesPerson
    depth: int
    customers: int  # a leaf's own customers; for a group, every customer below it


def tree_with_customer_counts(model) -> list[TreeRow]:
    """Every node of the tree depth-first with its customer count, in two queries."""
    if model is SalesPerson:
        nodes = list(SalesPerson.objects.with_tree_fields().select_related("user"))
        counts = _sales_team_customer_counts(nodes)
    else:
        nodes = list(model.objects.with_tree_fields())
        counts = _rolled_up_customer_counts(nodes, field=model.customers.field.name)
    return [TreeRow(node, depth=node.tree_depth, customers=counts[node.pk]) for node in nodes]


def _rolled_up_customer_counts(nodes, *, field) -> dict[int, int]:
    """A customer sits on one node, so a group's count is its own plus its children's."""
    counts = dict.fromkeys((node.pk for node in nodes), 0)
    per_node = Customer.objects.order_by().values_list(field).annotate(n=Count("pk"))
    counts.update(per_node)
    for node in reversed(nodes):  # depth-first order: children come after their parent
        if node.parent_id is not None:
            counts[node.parent_id] += counts[node.pk]
    return counts


def _sales_team_customer_counts(nodes) -> dict[int, int]:
    """Customers whose sales team includes someone in the node's subtree, each counted once
    (two sales persons of one group often share a customer, so counts cannot be summed)."""
    subtrees = {node.pk: [] for node in nodes}
    for node in nodes:
        for ancestor in node.tree_path:  # tree_path runs from the root to the node itself
            subtrees[ancestor].append(node.pk)
    totals = SalesTeamMember.objects.aggregate(
        **{
            f"node_{pk}": Count("customer", distinct=True, filter=Q(sales_person__in=members))
            for pk, members in subtrees.items()
        }
    )
    return {pk: totals[f"node_{pk}"] for pk in subtrees}


# --- credit terms and credit limits: the customer's own, else its groups', else the company's --

MAX_CREDIT_WARNINGS = 5


@dataclass(frozen=True)
class DefaultSource:
    """Where a customer's resolved credit terms or credit limit come from."""

    kind: str  # "customer", "customer group", "company" or "none"
    name: str = ""

    def __str__(self):
        return f"{self.kind} {self.name}".strip()

    @property
    def origin(self) -> str:
        """How the customer page explains the value: "from customer group Retail"."""
        return {"customer": "set on this customer", "none": ""}.get(self.kind, f"from {self}")


NO_SOURCE = DefaultSource("none")


def credit_terms_for(*, customer, company) -> tuple[str, int | None, DefaultSource]:
    """(rule, days, source): the first of customer, its groups (nearest first) and `company`
    with a rule; with none, invoices are due on their date."""
    return _terms_in(_defaults_chain(customer, company, _groups_nearest_first()))


def due_date_for(*, customer, company, posting_date) -> tuple[date, DefaultSource]:
    rule, days, source = credit_terms_for(customer=customer, company=company)
    return due_date(posting_date=posting_date, rule=rule, days=days), source


def credit_limit_for(*, customer, company) -> tuple[Decimal | None, DefaultSource]:
    """The first credit limit of customer, its groups (nearest first) and `company`, or None."""
    return _limit_in(_defaults_chain(customer, company, _groups_nearest_first()))


def price_list_for(*, customer, company) -> tuple[PriceList | None, str]:
    """The enabled price list of customer, its groups (nearest first) or `company`, and where
    it came from: "customer", "customer group Retail", "company Demo Trading" or "none".

    Two queries whatever the depth: the group tree, then the candidate lists.
    """
    return _price_list_in(_defaults_chain(customer, company, _groups_nearest_first()))


def _price_list_in(defaults_chain) -> tuple[PriceList | None, str]:
    chain = [(source, _price_list_id_of(holder)) for source, holder in defaults_chain]
    enabled = PriceList.objects.filter(enabled=True).in_bulk({pk for _, pk in chain if pk})
    for source, pk in chain:
        if pk in enabled:
            return enabled[pk], source.kind if source.kind == "customer" else str(source)
    return None, str(NO_SOURCE)


def _price_list_id_of(holder) -> int | None:
    if isinstance(holder, Company):
        return holder.default_selling_price_list_id
    return holder.default_price_list_id


def customer_outstanding(*, customer, company) -> Decimal:
    """The balance (debit minus credit) of the customer's ledger in `company`; 0 without one."""
    balance = (
        ledgers_annotated_with_balance()
        .filter(customer=customer, company=company)
        .values_list("balance", flat=True)
        .first()
    )
    return ZERO if balance is None else balance


@dataclass(frozen=True)
class CustomerCredit:
    terms: str
    terms_source: DefaultSource
    limit: Decimal | None
    limit_source: DefaultSource
    price_list: PriceList | None
    price_list_source: str


def customer_credit(*, customer) -> CustomerCredit:
    """The terms, limit and price list that apply to the customer in its own company."""
    chain = list(_defaults_chain(customer, customer.company, _groups_nearest_first()))
    rule, days, terms_source = _terms_in(chain)
    limit, limit_source = _limit_in(chain)
    price_list, price_list_source = _price_list_in(chain)
    return CustomerCredit(
        terms_text(rule, days), terms_source, limit, limit_source, price_list, price_list_source
    )


def credit_limits_by_company(*, customer, companies) -> dict[int, tuple]:
    """Company pk -> (credit limit or None, its source) for the customer in each of
    `companies`; one query for the group tree, however many companies."""
    groups = _groups_nearest_first()
    return {
        company.pk: _limit_in(_defaults_chain(customer, company, groups)) for company in companies
    }


def credit_limit_warnings(*, set_on) -> list[str]:
    """A warning for each ledger whose outstanding is above a credit limit set on `set_on`: a
    customer, a customer group passing its limit down to the customers below it, or a
    company whose global limit applies to customers without one of their own.

    Saving such a limit is allowed (the outstanding is already there); the warning says so.
    """
    groups = _groups_nearest_first()
    ledgers = (
        _ledgers_under(set_on)
        .filter(balance__gt=0)
        .select_related("customer")
        .order_by("customer__name", "customer__code", "company__name")
    )
    warnings = []
    for ledger in ledgers:
        customer, company = ledger.customer, ledger.company
        limit, source = _limit_in(_defaults_chain(customer, company, groups))
        if limit is not None and ledger.balance > limit and source == source_of(set_on):
            warnings.append(
                f"Credit limit {money(limit)} is below the outstanding {money(ledger.balance)} "
                f"of {customer} in {company}."
            )
    if len(warnings) > MAX_CREDIT_WARNINGS:
        more = len(warnings) - MAX_CREDIT_WARNINGS
        warnings[MAX_CREDIT_WARNINGS:] = [f"{more} more outstanding balances are above it."]
    return warnings


def _ledgers_under(holder):
    """The customer ledgers a credit limit set on `holder` may apply to."""
    ledgers = ledgers_annotated_with_balance().filter(customer__isnull=False)
    if isinstance(holder, Customer):
        return ledgers.filter(customer=holder)
    if isinstance(holder, Company):
        return ledgers.filter(company=holder)
    return ledgers.filter(customer__customer_group__in=subtree(holder))


def _groups_nearest_first() -> dict[int, list[CustomerGroup]]:
    """Each customer group's pk -> the group and those above it, nearest first, in one query.

    The recursive query behind `ancestors()` reads the whole (small) tree anyway, so every
    group's path costs no more than one group's.
    """
    groups = {group.pk: group for group in CustomerGroup.objects.with_tree_fields()}
    return {pk: [groups[a] for a in reversed(group.tree_path)] for pk, group in groups.items()}


def source_of(holder) -> DefaultSource:
    """The customer, customer group or company `holder` as the source of a default."""
    if isinstance(holder, Customer):
        return DefaultSource("customer", str(holder))
    return DefaultSource(holder._meta.verbose_name, holder.name)


def _defaults_chain(customer, company, groups) -> list[tuple[DefaultSource, object]]:
    """Where to look for a customer's defaults, in order: itself, its groups, the company."""
    holders = [customer, *groups[customer.customer_group_id], company]
    return [(source_of(holder), holder) for holder in holders]


def _terms_in(chain) -> tuple[str, int | None, DefaultSource]:
    for source, holder in chain:
        if holder.credit_days_rule:
            return holder.credit_days_rule, holder.credit_days, source
    return "", None, NO_SOURCE


def _limit_in(chain) -> tuple[Decimal | None, DefaultSource]:
    for source, holder in chain:
        if holder.credit_limit is not None:
            return holder.credit_limit, source
    return None, NO_SOURCE
