"""The payment pages' forms: the list's filters, the customer search, receiving a payment and
allocating an advance, where each open invoice gets an "allocate" input."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import ZERO, Account, Company
from config.forms import BootstrapForm, ListFilterForm
from crm.models import Customer
from crm.selectors import customers_matching
from invoicing.models import Payment, SalesInvoice
from invoicing.selectors import (
    PAYMENT_SORTS,
    open_invoices_of,
    payment_accounts,
    payments_matching,
)
from invoicing.services import Allocation, allocate_oldest_first

ALLOCATE_PREFIX = "allocate_"
ALLOCATE_OLDEST = "allocate_oldest"  # the value of the "Allocate oldest first" button
CUSTOMERS_SHOWN = 20
AMOUNT_DIGITS = {"max_digits": 14, "decimal_places": 2}  # below 10**12, as the services take
AMOUNT_ERRORS = {
    "invalid": "Enter an amount such as 1250.00.",
    "max_decimal_places": "Give at most 2 decimal places.",
    "max_whole_digits": "That is too large an amount.",
    "max_digits": "That is too large an amount.",
}


# --- reads --------------------------------------------------------------------------------


def allocation_field(invoice_pk) -> str:
    return f"{ALLOCATE_PREFIX}{invoice_pk}"


# --- the allocation table -----------------------------------------------------------------


class AllocationFormMixin:
    """An "allocate" input per open invoice. Amounts posted for invoices the table does not
    show (a tampered form, an invoice cancelled meanwhile) are passed on too, so the service
    refuses them rather than the payment silently becoming an advance."""

    def add_allocation_fields(self, invoices, initial=None):
        self.invoices = list(invoices)
        self._other_allocations = []
        for invoice in self.invoices:
            name = allocation_field(invoice.pk)
            self.fields[name] = forms.DecimalField(
                label=f"Allocate to {invoice.number}",
                required=False,
                min_value=ZERO,
                **AMOUNT_DIGITS,
                error_messages={**AMOUNT_ERRORS, "min_value": "Enter 0 or more."},
                widget=forms.TextInput(
                    attrs={
                        "class": "form-control form-control-sm text-end",
                        "inputmode": "decimal",
                        "autocomplete": "off",
                        "data-outstanding": f"{invoice.outstanding:.2f}",
                    }
                ),
            )
            if initial and invoice.pk in initial:
                self.initial[name] = f"{initial[invoice.pk]:.2f}"

    def allocation_rows(self):
        """(invoice, its bound "allocate" field) for each row of the table."""
        return [(invoice, self[allocation_field(invoice.pk)]) for invoice in self.invoices]

    def entered_total(self) -> Decimal:
        """The allocate inputs as typed, added up; what cannot be read counts as nothing."""
        total = ZERO
        for _, field in self.allocation_rows():
            total += _lenient_amount(field.value())
        return total

    def read_other_allocations(self):
        """Read amounts posted for invoices outside the table, for the service to judge."""
        shown = {invoice.pk for invoice in self.invoices}
        wanted = {}
        for key, value in (self.data or {}).items():
            pk = key.removeprefix(ALLOCATE_PREFIX)
            if key == pk or not pk.isdigit() or int(pk) in shown or not value.strip():
                continue
            amount = _lenient_amount(value, default=None)
            if amount is None or amount < 0:
                raise ValidationError(f"{value!r} is not an amount to allocate to invoice {pk}.")
            if amount:
                wanted[int(pk)] = amount
        found = SalesInvoice.objects.in_bulk(list(wanted)) if wanted else {}
        missing = sorted(wanted.keys() - found.keys())
        if missing:
            raise ValidationError(f"There is no invoice {missing[0]} to allocate to.")
        self._other_allocations = [Allocation(found[pk], wanted[pk]) for pk in sorted(wanted)]

    def allocations(self) -> list[Allocation]:
        """What to allocate (blank and 0 left out), once the form is valid."""
        entered = [
            Allocation(invoice, self.cleaned_data[allocation_field(invoice.pk)])
            for invoice in self.invoices
            if self.cleaned_data.get(allocation_field(invoice.pk))
        ]
        return entered + self._other_allocations

    def add_service_error(self, error: ValidationError):
        """Show a service's refusal on the invoice row it names, else at the top of the form."""
        if hasattr(error, "error_dict"):
            self.add_validation_error(error)
            return
        rows = {f"{invoice.number} ": allocation_field(invoice.pk) for invoice in self.invoices}
        for message in error.messages:
            row = next((name for start, name in rows.items() if message.startswith(start)), None)
            self.add_error(row, message)

    def filled_oldest_first(self):
        """This form again with the allocate inputs filled from the amount, oldest due first;
        itself (showing why) when there is no amount to spread."""
        amount = self.amount_to_allocate()
        if amount is None:
            return self
        data = self.data.copy()
        shares = {
            allocation.invoice.pk: allocation.amount
            for allocation in allocate_oldest_first(amount=amount, invoices=self.invoices)
        }
        for invoice in self.invoices:
            share = shares.get(invoice.pk)
            data[allocation_field(invoice.pk)] = f"{share:.2f}" if share else ""
        return type(self)(data, **self.context)

    def amount_to_allocate(self) -> Decimal | None:
        raise NotImplementedError


def _lenient_amount(value, default=ZERO):
    try:
        amount = Decimal(str(value).strip()) if value not in (None, "") else ZERO
    except InvalidOperation:
        return default
    return amount if amount.is_finite() else default


# --- receive a payment --------------------------------------------------------------------


class PaymentForm(AllocationFormMixin, BootstrapForm):
    """Money received from one customer into one company, and how much settles which invoice."""

    company = forms.ModelChoiceField(Company.objects.all(), empty_label=None)
    posting_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(
        min_value=Decimal("0.01"),
        **AMOUNT_DIGITS,
        error_messages={**AMOUNT_ERRORS, "min_value": "The amount must be more than 0."},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    mode = forms.ChoiceField(choices=Payment.Mode.choices)
    paid_to = forms.ModelChoiceField(
        Account.objects.none(),
        label="Paid to",
        empty_label=None,
        help_text="The cash or bank ledger the money went into.",
    )
    reference = forms.CharField(
        max_length=140, required=False, help_text="Bank reference, cheque number or receipt."
    )

    def __init__(self, data=None, *, customer, company, invoice=None):
        super().__init__(data)
        self.context = {"customer": customer, "company": company, "invoice": invoice}
        self.customer, self.company = customer, company
        invoices = list(open_invoices_of(customer=customer, company=company))
        self.invoice = next((row for row in invoices if row == invoice), None)
        self.initial.update(
            company=company, posting_date=timezone.localdate(), mode=Payment.Mode.BANK_TRANSFER
        )
        if self.invoice:
            self.initial["amount"] = f"{self.invoice.outstanding:.2f}"
        self._set_accounts(company)
        self.add_allocation_fields(
            invoices, initial={self.invoice.pk: self.invoice.outstanding} if self.invoice else None
        )
        self.fields["company"].widget.attrs["data-reload-on-change"] = "company"

    def _set_accounts(self, company):
        """Offer the company's cash and bank ledgers; the mode picks Cash or Bank by default."""
        field = self.fields["paid_to"]
        field.queryset = payment_accounts(company)
        defaults = {}
        for account in field.queryset:
            defaults.setdefault(account.account_type, account)
        cash, bank = defaults.get(Account.Type.CASH), defaults.get(Account.Type.BANK)
        self.initial["paid_to"] = bank or cash
        field.widget.attrs.update(
            {
                "data-cash-account": cash.pk if cash else "",
                "data-bank-account": bank.pk if bank else "",
            }
        )
        if not defaults:
            field.help_text = (
                f"{company} has no cash or bank ledger; add one to its chart of accounts."
            )

    def clean(self):
        cleaned = super().clean()
        self.read_other_allocations()
        return cleaned

    def payment_fields(self) -> dict:
        """Keyword arguments for invoicing.services.receive_payment, once the form is valid."""
        fields = ("company", "posting_date", "amount", "mode", "paid_to", "reference")
        return {name: self.cleaned_data[name] for name in fields}

    def amount_to_allocate(self):
        self.is_valid()
        return self.cleaned_data.get("amount")

    def unallocated_total(self) -> Decimal | None:
        amount = _lenient_amount(self["amount"].value(), default=None)
        return None if amount is None else amount - self.entered_total()


class AllocateAdvanceForm(AllocationFormMixin, BootstrapForm):
    """Set what is left of a payment against the customer's open invoices."""

    allocated_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The day the advance is set against the invoices.",
    )

    def __init__(self, data=None, *, payment):
        super().__init__(data)
        self.context = {"payment": payment}
        self.payment = payment
        self.initial["allocated_on"] = timezone.localdate()
        self.add_allocation_fields(
            open_invoices_of(customer=payment.customer_id, company=payment.company_id)
        )

    def clean(self):
        cleaned = super().clean()
        self.read_other_allocations()
        if not self.errors and not self.allocations():
            raise ValidationError("Enter an amount to allocate against at least one invoice.")
        return cleaned

    def amount_to_allocate(self):
        return self.payment.unallocated

    def unallocated_total(self) -> Decimal:
        return self.payment.unallocated - self.entered_total()


# --- find the customer --------------------------------------------------------------------


class CustomerSearchForm(BootstrapForm):
    q = forms.CharField(
        label="Customer",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Name or code", "autofocus": True}
        ),
    )

    def customers(self):
        """Up to CUSTOMERS_SHOWN customers matching the search; none before anything is typed."""
        if not self.is_valid() or not self.cleaned_data["q"].strip():
            return []
        matches = customers_matching(self.cleaned_data["q"])
        return list(
            Customer.objects.filter(pk__in=matches)
            .select_related("company")
            .order_by("name", "code")[:CUSTOMERS_SHOWN]
        )


# --- the list -----------------------------------------------------------------------------

DEFAULT_SORT = "-date"


class PaymentFilterForm(ListFilterForm):
    sorts = PAYMENT_SORTS
    default_sort = DEFAULT_SORT
    date_range = ("date_from", "date_to")

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Number, reference, customer name or code"}
        ),
    )
    company = forms.ModelChoiceField(Company.objects.all(), required=False, empty_label="Any")
    mode = forms.ChoiceField(choices=[("", "Any"), *Payment.Mode.choices], required=False)
    status = forms.ChoiceField(
        choices=[
            ("", "Any"),
            ("submitted", "Submitted"),
            ("advance", "With an unallocated advance"),
            ("cancelled", "Cancelled"),
        ],
        required=False,
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    customer = forms.ModelChoiceField(
        Customer.objects.all(), required=False, widget=forms.HiddenInput
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def payments(self):
        """The payments the search and filters find, sorted; with customer and company."""
        return payments_matching(**self.cleaned_data)
