"""The sales invoice form (header, lines, the customer's defaults) and the invoice list's filters.

The services decide and write; these forms collect what the user typed, fill in what the
customer's defaults give, and put every message next to the field or line it is about.
"""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, Sum
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst

from accounts.models import ZERO, Company
from accounts.terms import terms_text
from config.forms import BootstrapForm, ListFilterForm
from crm.forms.partners import PercentField
from crm.models import Customer, SalesPartner, SalesTeamMember
from crm.selectors import (
    credit_limit_for,
    credit_terms_for,
    customer_outstanding,
    customers_matching,
    due_date_for,
    price_list_for,
)
from invoicing.models import SalesInvoice, line_amount
from invoicing.services import LARGEST_RATE, default_commission_rate
from pricing.forms import DATE_INPUT
from pricing.models import Item, PriceList
from pricing.selectors import item_rates

LINES_PREFIX = "lines"
LARGEST_AMOUNT = Decimal(10) ** 16  # an amount or total has 18 digits of which 2 are cents
DECIMAL_INPUT = {"inputmode": "decimal", "autocomplete": "off", "class": "text-end"}
CUSTOMERS_LISTED = 5  # in the message for a search that matches several customers
CUSTOMER_IDS_LISTED = 1000  # customers an invoice search looks up by id rather than subquery


# --- the customer's defaults ----------------------------------------------------------------


@dataclass(frozen=True)
class CustomerDefaults:
    """What an invoice for `customer` in `company` on `posting_date` gets unless told otherwise,
    each value with where it comes from, and how much credit the customer has left there."""

    customer: Customer
    company: Company
    posting_date: date
    price_list: PriceList | None
    price_list_source: str  # "customer", "customer group Retail", "company Demo Trading", "none"
    due_date: date
    terms: str
    terms_origin: str
    sales_partner: SalesPartner | None
    commission_rate: Decimal
    sales_team: list[SalesTeamMember]
    outstanding: Decimal
    credit_limit: Decimal | None
    credit_limit_origin: str

    @property
    def price_list_origin(self) -> str:
        if self.price_list_source == "customer":
            return "set on this customer"
        return f"from {self.price_list_source}"

    @property
    def price_list_in_other_currency(self) -> bool:
        return (
            self.price_list is not None
            and self.price_list.currency != self.company.default_currency
        )

    @property
    def credit_left(self) -> Decimal | None:
        return None if self.credit_limit is None else self.credit_limit - self.outstanding

    def crosses_credit_limit(self, total) -> bool:
        return self.credit_limit is not None and self.outstanding + total > self.credit_limit

    @property
    def signature(self) -> str:
        return defaults_signature(self.customer, self.company, self.posting_date)


def customer_defaults(*, customer, company, posting_date) -> CustomerDefaults:
    price_list, price_list_source = price_list_for(customer=customer, company=company)
    due_date, _ = due_date_for(customer=customer, company=company, posting_date=posting_date)
    rule, days, terms_source = credit_terms_for(customer=customer, company=company)
    limit, limit_source = credit_limit_for(customer=customer, company=company)
    partner = customer.default_sales_partner
    return CustomerDefaults(
        customer=customer,
        company=company,
        posting_date=posting_date,
        price_list=price_list,
        price_list_source=price_list_source,
        due_date=due_date,
        terms=terms_text(rule, days),
        terms_origin=terms_source.origin,
        sales_partner=partner,
        commission_rate=default_commission_rate(customer, partner),
        sales_team=list(
            SalesTeamMember.objects.filter(customer=customer).select_related("sales_person")
        ),
        outstanding=customer_outstanding(customer=customer, company=company),
        credit_limit=limit,
        credit_limit_origin=limit_source.origin,
    )


def defaults_signature(customer, company, posting_date) -> str:
    """Names the customer, company and posting date the form's defaults were filled for."""
    return f"{customer.pk}:{company.pk}:{posting_date.isoformat()}"


def rate_text(rate: Decimal) -> str:
    """A rate as typed: 10.000000 -> "10", 2.500000 -> "2.5"."""
    return f"{rate.normalize():f}"


# --- the header ---------------------------------------------------------------------------


class InvoiceForm(BootstrapForm):
    """The invoice header. The customer is picked by searching; `customer` holds the choice and
    `filled_for` says which customer, company and posting date the defaults were filled for."""

    customer_search = forms.CharField(
        label="Customer",
        max_length=200,
        error_messages={"required": "Choose the customer."},
        widget=forms.TextInput(
            attrs={"type": "search", "autocomplete": "off", "placeholder": "Name or code"}
        ),
    )
    customer = forms.CharField(required=False, widget=forms.HiddenInput)
    company = forms.ModelChoiceField(Company.objects.all())
    posting_date = forms.DateField(widget=DATE_INPUT)
    due_date = forms.DateField(
        required=False, widget=DATE_INPUT, help_text="Empty: from the customer's credit terms."
    )
    sales_partner = forms.ModelChoiceField(
        SalesPartner.objects.all(), required=False, empty_label="No sales partner"
    )
    commission_rate = PercentField(
        label="Commission rate (%)",
        required=False,
        help_text="Empty: the customer's rate, else the partner's.",
        widget=forms.TextInput(attrs=DECIMAL_INPUT),
    )
    filled_for = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, company_locked=False, **kwargs):
        super().__init__(*args, **kwargs)
        if company_locked:
            company = self.fields["company"]
            company.disabled = True
            company.help_text = "A draft stays in the company it was raised in."
        self.fields["customer_search"].widget.attrs.update(
            {
                "hx-get": reverse("invoicing:invoice_customer_search"),
                "hx-trigger": "input changed delay:250ms, search",
                "hx-target": "#customer-suggestions",
                "hx-sync": "this:replace",
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-controls": "customer-suggestions",
                "aria-expanded": "false",
            }
        )
        for name in ("customer", "company", "posting_date"):
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse("invoicing:invoice_customer_defaults"),
                    "hx-trigger": "change",
                    "hx-target": "#invoice-defaults",
                    "hx-include": "closest form",
                    "hx-sync": "closest form:replace",
                }
            )

    def clean_customer(self):
        """The chosen customer, or the one the search text names when nothing was chosen (or
        the text no longer names the choice: typed over without JavaScript)."""
        pk = self.cleaned_data["customer"]
        text = " ".join(self.data.get(self.add_prefix("customer_search"), "").split())
        chosen = Customer.objects.select_related("company", "default_sales_partner")
        customer = chosen.filter(pk=pk).first() if pk.isdigit() else None
        if customer is None or (text and text != str(customer)):
            customer = self._customer_named(text, chosen)
        if customer is None:
            return None
        for flag in ("disabled", "frozen"):
            if getattr(customer, flag):
                self.add_error("customer_search", f"{customer} is {flag} and cannot be invoiced.")
        return customer

    def _customer_named(self, text, customers):
        if not text:
            return None  # the search field says it is required
        exact = list(customers.filter(Q(code__iexact=text) | Q(name__iexact=text))[:2])
        if len(exact) == 1:
            return exact[0]
        matching = customers.filter(pk__in=customers_matching(text)).order_by("name", "code")
        found = exact or list(matching[: CUSTOMERS_LISTED + 1])
        if len(found) == 1:
            return found[0]
        if not found:
            self.add_error("customer_search", f"No customer matches “{text}”.")
        else:
            listed = ", ".join(customer.code for customer in found[:CUSTOMERS_LISTED])
            more = " and more" if len(found) > CUSTOMERS_LISTED else ""
            self.add_error(
                "customer_search",
                f"Several customers match “{text}” ({listed}{more}); type the code of one.",
            )
        return None

    def clean(self):
        cleaned = super().clean()
        dates = {name: cleaned.get(name) for name in ("posting_date", "due_date")}
        try:
            SalesInvoice(**dates).clean()  # the model's own rule: not due before it is posted
        except ValidationError as error:
            self.add_validation_error(error)
        return cleaned

    def signature(self) -> str | None:
        """The signature of the cleaned customer, company and posting date (None if unknown)."""
        data = self.cleaned_data
        if not all(data.get(name) for name in ("customer", "company", "posting_date")):
            return None
        return defaults_signature(data["customer"], data["company"], data["posting_date"])


# --- the lines ----------------------------------------------------------------------------


class InvoiceLineForm(BootstrapForm):
    """One line. A row without item and rate is skipped; the rate may be left empty for the
    price list's."""

    item = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    quantity = forms.DecimalField(
        required=False,
        initial=1,
        widget=forms.TextInput(attrs=DECIMAL_INPUT),
        error_messages={"invalid": "Enter the quantity as a number, such as 2 or 1.5."},
    )
    rate = forms.DecimalField(
        required=False,
        widget=forms.TextInput(attrs=DECIMAL_INPUT),
        error_messages={"invalid": "Enter the rate as a number, such as 12.50."},
    )

    def __init__(self, *args, items=None, item_choices=(), may_set_rate=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items or {}
        if not may_set_rate:  # the price list's rate only; the service refuses any other
            self.fields["rate"].widget.attrs.update(
                {"readonly": True, "title": "The price list's rate (you may not change rates)."}
            )
        self.fields["item"].choices = [("", "Choose an item…"), *item_choices]
        self.fields["item"].widget.attrs.update(
            {
                "hx-get": reverse("invoicing:invoice_item_rate"),
                "hx-trigger": "change",
                "hx-target": f"#{self.prefix}-rate-cell",
                "hx-include": "closest form",
                "hx-sync": "this:replace",
                "hx-vals": json.dumps({"line": self.prefix}),
            }
        )
        self.rate_message = ""  # why the rate was not filled, shown under it

    def full_clean(self):
        if self.is_bound and (self.is_blank() or self.is_removed()):
            self._errors = ErrorDict(renderer=self.renderer)
            self.cleaned_data = {"DELETE": self.is_removed()}
            return
        super().full_clean()

    def raw(self, name) -> str:
        return str(self.data.get(self.add_prefix(name), "")).strip()

    def is_blank(self) -> bool:
        return not self.raw("item") and not self.raw("rate")

    def is_removed(self) -> bool:
        return self.raw("DELETE") not in ("", "off", "false", "0")

    def clean_item(self):
        pk = self.cleaned_data["item"]
        if pk is None:
            raise ValidationError("Choose an item for this line.")
        return self.items[pk]

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity is None:
            raise ValidationError("Enter a quantity.")
        if quantity <= 0:
            raise ValidationError("The quantity must be more than 0.")
        return _not_too_large(quantity, "quantity")

    def clean_rate(self):
        rate = self.cleaned_data["rate"]
        if rate is not None and rate < 0:
            raise ValidationError("The rate cannot be negative.")
        return rate if rate is None else _not_too_large(rate, "rate")

    def clean(self):
        cleaned = super().clean()
        quantity, rate = cleaned.get("quantity"), cleaned.get("rate")
        if quantity is not None and rate is not None and self.amount() >= LARGEST_AMOUNT:
            raise ValidationError(
                f"Quantity times rate is too large; an amount must stay below {LARGEST_AMOUNT:,}."
            )
        return cleaned

    def amount(self) -> Decimal | None:
        """Quantity times rate as typed or given, rounded to cents; None until both are
        numbers."""
        try:
            quantity = Decimal(self._value("quantity"))
            rate = Decimal(self._value("rate"))
            if quantity.is_finite() and rate.is_finite() and max(quantity, rate) < LARGEST_RATE:
                return line_amount(quantity, rate)
        except (ArithmeticError, TypeError, ValueError):
            pass
        return None

    def _value(self, name):
        value = self[name].value()
        return "" if value is None else str(value).strip()

    def service_line(self):
        data = self.cleaned_data
        return (data["item"], data["quantity"], data["rate"])


class BaseInvoiceLineFormSet(forms.BaseFormSet):
    """The lines; the items are read once for every row."""

    def __init__(self, *args, items_in_use=(), may_set_rate=True, **kwargs):
        self.items_in_use = set(items_in_use)
        self.may_set_rate = may_set_rate
        super().__init__(*args, **kwargs)

    @cached_property
    def items(self) -> dict[int, Item]:
        usable = Item.objects.filter(Q(disabled=False) | Q(pk__in=self.items_in_use))
        return {item.pk: item for item in usable.order_by("code")}

    @cached_property
    def item_choices(self):
        return [(pk, str(item)) for pk, item in self.items.items()]

    def get_form_kwargs(self, index):
        return {
            **super().get_form_kwargs(index),
            "items": self.items,
            "item_choices": self.item_choices,
            "may_set_rate": self.may_set_rate,
        }

    def filled_forms(self) -> list[InvoiceLineForm]:
        """The rows that make lines, in order: not blank, not removed."""
        return [form for form in self.forms if not (form.is_blank() or form.is_removed())]

    def clean(self):
        if any(self.errors):
            return
        filled = self.filled_forms()
        if not filled:
            raise ValidationError(
                "An invoice needs at least one line: choose an item and a quantity."
            )
        known = [form.amount() for form in filled if form.cleaned_data["rate"] is not None]
        total = sum((amount for amount in known if amount is not None), ZERO)
        if total >= LARGEST_AMOUNT:
            raise ValidationError(
                f"The lines total {total:,.2f}; an invoice must stay below {LARGEST_AMOUNT:,}."
            )

    def service_lines(self) -> list[tuple]:
        return [form.service_line() for form in self.filled_forms()]

    def total(self) -> Decimal:
        """The sum of the amounts shown (display only: the service recomputes it)."""
        forms_ = self.filled_forms() if self.is_bound else self.forms
        return sum((amount for form in forms_ if (amount := form.amount()) is not None), ZERO)


InvoiceLineFormSet = forms.formset_factory(
    InvoiceLineForm, formset=BaseInvoiceLineFormSet, extra=0, can_delete=True
)


def _not_too_large(number, name):
    if abs(number) >= LARGEST_RATE:
        raise ValidationError(f"The {name} is too large; it must stay below {LARGEST_RATE:,}.")
    return number


# --- the header and lines together --------------------------------------------------------


class InvoiceForms:
    """The header and lines of a draft: checked together, completed with the customer's
    defaults, handed to create_draft_invoice or update_draft_invoice."""

    def __init__(
        self, data=None, *, invoice=None, initial=None, lines_initial=None, may_set_rate=True
    ):
        self.data = data
        self.invoice = invoice
        self.may_set_rate = may_set_rate
        self.header = _header_form(data, invoice, initial)
        items_in_use = [line.item_id for line in invoice.lines.all()] if invoice else ()
        self.lines = InvoiceLineFormSet(
            data,
            initial=lines_initial,
            prefix=LINES_PREFIX,
            items_in_use=items_in_use,
            may_set_rate=may_set_rate,
        )
        self._defaults = None

    @classmethod
    def for_new(cls, *, customer=None, company=None, today=None, may_set_rate=True):
        """A new invoice dated today, with `customer`'s defaults in `company` (else in its
        own company) filled in when given."""
        today = today or timezone.localdate()
        companies = [company] if company else list(Company.objects.all()[:2])
        initial = {
            "posting_date": today,
            "company": companies[0].pk if len(companies) == 1 else None,
        }
        lines = [{"quantity": 1}]
        if customer is None:
            return cls(initial=initial, lines_initial=lines, may_set_rate=may_set_rate)
        defaults = customer_defaults(
            customer=customer, company=company or customer.company, posting_date=today
        )
        forms_ = cls(
            initial={**initial, **_header_values(defaults)},
            lines_initial=lines,
            may_set_rate=may_set_rate,
        )
        forms_._defaults = defaults
        return forms_

    @classmethod
    def for_invoice(cls, invoice, *, may_set_rate=True):
        """A draft as saved."""
        initial = {
            "customer": invoice.customer_id,
            "customer_search": str(invoice.customer),
            "company": invoice.company_id,
            "posting_date": invoice.posting_date,
            "due_date": invoice.due_date,
            "sales_partner": invoice.sales_partner_id,
            "commission_rate": invoice.commission_rate,
            "filled_for": defaults_signature(
                invoice.customer, invoice.company, invoice.posting_date
            ),
        }
        lines = [
            {
                "item": line.item_id,
                "quantity": rate_text(line.quantity),
                "rate": rate_text(line.rate),
            }
            for line in invoice.lines.all()
        ]
        forms_ = cls(
            invoice=invoice, initial=initial, lines_initial=lines, may_set_rate=may_set_rate
        )
        forms_.mark_listed_rates()
        return forms_

    # -- checking and saving

    def is_valid(self) -> bool:
        checked = [self.header.is_valid(), self.lines.is_valid()]  # every error of both
        return all(checked)

    def needs_defaults(self) -> bool:
        """The customer, company or posting date changed since the defaults were filled in
        (a choice made without JavaScript, or saved before the page caught up)."""
        return self.header.signature() != self.header.cleaned_data.get("filled_for")

    def service_arguments(self, *, user) -> dict:
        data = self.header.cleaned_data
        arguments = {
            "customer": data["customer"],
            "posting_date": data["posting_date"],
            "due_date": data["due_date"],
            "sales_partner": data["sales_partner"],
            "commission_rate": data["commission_rate"],
            "lines": self.lines.service_lines(),
            "user": user,
        }
        if self.invoice is None:
            arguments["company"] = data["company"]
        else:
            arguments["invoice"] = self.invoice
        return arguments

    def add_service_error(self, error: ValidationError):
        """Each message of a service's refusal next to its field, or on its line."""
        if hasattr(error, "error_dict"):
            self.header.add_validation_error(error)
            return
        filled = self.lines.filled_forms()
        for single in error.error_list:
            number = getattr(single, "line", 0)
            if 0 < number <= len(filled):
                filled[number - 1].add_error(single.field, capfirst(single.detail))
            else:
                self.header.add_error(None, single.message)

    # -- completing

    def with_defaults(self) -> "InvoiceForms":
        """The same input with the defaults of its customer, company and posting date filled
        in: the company (for a newly chosen customer), due date, sales partner and commission,
        and the rate of each line left without one. Not checked, so it shows no errors."""
        customer, company, posting_date = self._chosen()
        if customer is None or posting_date is None:
            return self
        data = self.data.copy()
        filled_for = str(data.get("filled_for", ""))
        new_customer = filled_for.split(":")[0] != str(customer.pk)
        if new_customer and self.invoice is None:
            company = customer.company
        if company is None:
            return self
        defaults = customer_defaults(customer=customer, company=company, posting_date=posting_date)
        values = _header_values(defaults)
        if not new_customer:
            values = {name: values[name] for name in ("customer_search", "due_date", "filled_for")}
        for name, value in {"customer": customer.pk, "company": company.pk, **values}.items():
            data[name] = "" if value is None else str(value)
        filled = InvoiceForms(data, invoice=self.invoice, may_set_rate=self.may_set_rate)
        filled._defaults = defaults
        filled.fill_rates(only_empty=True)
        return filled

    def with_extra_line(self) -> "InvoiceForms":
        data = self.data.copy()
        key = f"{LINES_PREFIX}-TOTAL_FORMS"
        count = str(data.get(key, ""))
        data[key] = str(int(count) + 1 if count.isdigit() else 1)
        return InvoiceForms(data, invoice=self.invoice, may_set_rate=self.may_set_rate)

    def fill_rates(self, *, only_empty=False, forms_=None):
        """Set each chosen item's rate from the price list valid on the posting date, or say
        why it has none. The data is changed in place, so the rows show the new rates."""
        rows = [
            form
            for form in (forms_ if forms_ is not None else self.lines.forms)
            if form.raw("item").isdigit() and not (only_empty and form.raw("rate"))
        ]
        if rows and self.defaults is None:
            for form in rows:
                form.rate_message = "Choose the customer to fill the rate from its price list."
            return
        rates = self._listed_rates([int(form.raw("item")) for form in rows])
        for form in rows:
            rate = rates.get(int(form.raw("item")))
            form.data[form.add_prefix("rate")] = "" if rate is None else rate_text(rate)
            if rate is None:
                form.rate_message = self._no_price_message(self.defaults, self.may_set_rate)
            else:
                _mark_listed(form)

    def mark_listed_rates(self):
        """Mark the saved lines whose rate is the price list's, so that they follow a change
        of customer or date as new lines do."""
        rows = [form for form in self.lines.forms if form.initial.get("item")]
        rates = self._listed_rates([form.initial["item"] for form in rows])
        for form in rows:
            if rates.get(form.initial["item"]) == Decimal(form.initial["rate"]):
                _mark_listed(form)

    def _listed_rates(self, item_pks) -> dict[int, Decimal]:
        defaults = self.defaults
        items = [item for pk in set(item_pks) if (item := self.lines.items.get(pk))]
        if not items or defaults is None or defaults.price_list is None:
            return {}
        return item_rates(
            price_list=defaults.price_list, items=items, on_date=defaults.posting_date
        )

    @staticmethod
    def _no_price_message(defaults, may_set_rate) -> str:
        then = "type a rate." if may_set_rate else "ask someone who may set rates to add it."
        if defaults.price_list is None:
            return f"{defaults.customer.name} has no price list; {then}"
        on_date = defaults.posting_date.isoformat()
        return f"No price in {defaults.price_list.name} on {on_date}; {then}"

    # -- showing

    @property
    def defaults(self) -> CustomerDefaults | None:
        """The defaults for the customer, company and posting date as they stand, if known."""
        if self._defaults is None:
            customer, company, posting_date = self._chosen()
            if customer is not None and company is not None and posting_date is not None:
                self._defaults = customer_defaults(
                    customer=customer, company=company, posting_date=posting_date
                )
        return self._defaults

    def total(self) -> Decimal:
        return self.lines.total()

    def crosses_credit_limit(self) -> bool:
        defaults = self.defaults
        return defaults is not None and defaults.crosses_credit_limit(self.total())

    def _chosen(self):
        """(customer, company, posting date) as far as they can be read, without showing
        errors on the forms on the page: a copy of the header is checked instead."""
        if self.data is None:
            initial = self.header.initial
            customer, company = initial.get("customer"), initial.get("company")
            return (
                Customer.objects.filter(pk=customer).first() if customer else None,
                Company.objects.filter(pk=company).first() if company else None,
                initial.get("posting_date"),
            )
        scratch = _header_form(self.data, self.invoice)
        scratch.is_valid()
        data = scratch.cleaned_data
        return data.get("customer"), data.get("company"), data.get("posting_date")


def _mark_listed(line):
    """The form's script re-prices a line so marked when the customer or date changes."""
    line.fields["rate"].widget.attrs["data-price-list-rate"] = "true"


def _header_form(data, invoice, initial=None) -> InvoiceForm:
    """The header of a new invoice, or of a draft, whose company is fixed."""
    if invoice is None:
        return InvoiceForm(data, initial=initial)
    return InvoiceForm(
        data, initial={**(initial or {}), "company": invoice.company_id}, company_locked=True
    )


def _header_values(defaults: CustomerDefaults) -> dict:
    """The header fields as the customer's defaults fill them."""
    partner = defaults.sales_partner
    return {
        "customer": defaults.customer.pk,
        "customer_search": str(defaults.customer),
        "company": defaults.company.pk,
        "due_date": defaults.due_date.isoformat(),
        "sales_partner": partner.pk if partner else None,
        "commission_rate": rate_text(defaults.commission_rate),
        "filled_for": defaults.signature,
    }


# --- the invoice list ---------------------------------------------------------------------


STATUS_CHOICES = [
    ("draft", "Draft"),
    ("submitted", "Submitted"),
    ("partly_paid", "Partly Paid"),
    ("overdue", "Overdue"),
    ("paid", "Paid"),
    ("cancelled", "Cancelled"),
    ("unpaid", "Unpaid (submitted, partly paid or overdue)"),
]
INVOICE_SORTS = {
    "number": "number",
    "posting_date": "posting_date",
    "due_date": "due_date",
    "total": "total",
}
DEFAULT_SORT = "-posting_date"


def status_condition(status, today) -> Q:
    """The invoices SalesInvoice.status_on(today) calls `status`, as a query condition."""
    submitted = Q(docstatus=SalesInvoice.DocStatus.SUBMITTED)
    unpaid = submitted & Q(outstanding__gt=0)
    return {
        "draft": Q(docstatus=SalesInvoice.DocStatus.DRAFT),
        "cancelled": Q(docstatus=SalesInvoice.DocStatus.CANCELLED),
        "paid": submitted & Q(outstanding=0),
        "overdue": unpaid & Q(due_date__lt=today),
        "partly_paid": unpaid & Q(due_date__gte=today, outstanding__lt=F("total")),
        "submitted": unpaid & Q(due_date__gte=today, outstanding=F("total")),
        "unpaid": unpaid,
    }[status]


class InvoiceFilterForm(ListFilterForm):
    sorts = INVOICE_SORTS
    default_sort = DEFAULT_SORT
    date_range = ("posted_from", "posted_to")

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Invoice number, customer name or code"}
        ),
    )
    company = forms.ModelChoiceField(Company.objects.all(), required=False, empty_label="Any")
    status = forms.ChoiceField(choices=[("", "Any"), *STATUS_CHOICES], required=False)
    posted_from = forms.DateField(label="Posted from", required=False, widget=DATE_INPUT)
    posted_to = forms.DateField(label="Posted to", required=False, widget=DATE_INPUT)
    customer = forms.ModelChoiceField(
        Customer.objects.all(), required=False, widget=forms.HiddenInput
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def invoices(self, *, today=None):
        """The invoices the search and filters find, sorted; none while the form has errors.

        The number is matched exactly and the customer by crm.selectors.customers_matching;
        both are indexed look-ups.
        """
        if not self.is_valid():
            return SalesInvoice.objects.none()
        data = self.cleaned_data
        invoices = SalesInvoice.objects.all()
        if text := " ".join(data["q"].split()):
            invoices = invoices.filter(
                Q(number__in={text, text.upper()}) | Q(customer__in=_customers_matching(text))
            )
        if data["customer"]:
            invoices = invoices.filter(customer=data["customer"])
        if data["company"]:
            invoices = invoices.filter(company=data["company"])
        if data["status"]:
            invoices = invoices.filter(status_condition(data["status"], today or _today()))
        if data["posted_from"]:
            invoices = invoices.filter(posting_date__gte=data["posted_from"])
        if data["posted_to"]:
            invoices = invoices.filter(posting_date__lte=data["posted_to"])
        return invoices

    def ordering(self) -> list[str]:
        sort = self.cleaned_data["sort"] if self.is_valid() else DEFAULT_SORT
        descending = "-" if sort.startswith("-") else ""
        return [f"{descending}{INVOICE_SORTS[sort.lstrip('-')]}", f"{descending}id"]


def _customers_matching(text):
    """The ids of the customers `text` finds, as a list when there are not too many: given
    ids, PostgreSQL reads their invoices through the customer index; given a subquery it
    estimates badly and reads every invoice."""
    ids = [row["pk"] for row in customers_matching(text)[: CUSTOMER_IDS_LISTED + 1]]
    return ids if len(ids) <= CUSTOMER_IDS_LISTED else customers_matching(text)


def invoice_totals(invoices) -> dict:
    """How many invoices, their total and outstanding: one aggregate query."""
    totals = invoices.order_by().aggregate(
        count=Count("pk"), total=Sum("total"), outstanding=Sum("outstanding")
    )
    return {
        "count": totals["count"] or 0,
        "total": totals["total"] or ZERO,
        "outstanding": totals["outstanding"] or ZERO,
    }


def _today():
    return timezone.localdate()
