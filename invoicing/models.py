from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import MONEY, ZERO
from accounts.services import to_money
from crm.models import PERCENT, percent_range
from pricing.models import RATE


class SalesInvoice(models.Model):
    """A bill to a customer. Submitting numbers it and posts its journal; it is then fixed."""

    class DocStatus(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        CANCELLED = "cancelled", "Cancelled"

    number = models.CharField(
        max_length=40, blank=True, help_text="Assigned on submit (SINV-<ABBR>-<year>-00001)."
    )
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="sales_invoices"
    )
    customer = models.ForeignKey(
        "crm.Customer", on_delete=models.PROTECT, related_name="sales_invoices"
    )
    posting_date = models.DateField()
    due_date = models.DateField()
    price_list = models.ForeignKey(
        "pricing.PriceList", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    price_list_source = models.CharField(
        max_length=200,
        blank=True,
        help_text='Where the price list came from when the invoice was raised: "customer", '
        '"customer group Retail", "company Demo Trading" or "none".',
    )
    currency = models.CharField(max_length=3)
    sales_partner = models.ForeignKey(
        "crm.SalesPartner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales_invoices",
    )
    commission_rate = models.DecimalField(
        **PERCENT,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent of the total due to the sales partner.",
    )
    docstatus = models.CharField(
        "document status", max_length=10, choices=DocStatus.choices, default=DocStatus.DRAFT
    )
    total = models.DecimalField(**MONEY, default=ZERO)
    outstanding = models.DecimalField(**MONEY, default=ZERO)
    journal = models.OneToOneField(
        "accounts.JournalEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sales_invoice",
    )
    credit_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The Credit Controller who submitted it over the credit limit.",
    )
    credit_override_at = models.DateTimeField(null=True, blank=True)
    credit_override_note = models.TextField(
        blank=True, help_text="The figures at the time of the override."
    )
    due_date_extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The Credit Controller who set a due date later than the terms allow.",
    )
    due_date_note = models.TextField(
        blank=True, help_text="Why the due date is later than the customer's terms."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-posting_date", "-id"]
        permissions = [("set_rate_salesinvoice", "Can type a rate other than the price list's")]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="sales_invoice_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(docstatus="draft") | ~Q(number=""),
                name="sales_invoice_numbered_once_submitted",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="sales_invoice_total_gte_0"),
            models.CheckConstraint(
                condition=Q(outstanding__gte=0) & Q(outstanding__lte=F("total")),
                name="sales_invoice_outstanding_0_to_total",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("posting_date")),
                name="sales_invoice_due_after_posting",
            ),
            models.CheckConstraint(
                condition=percent_range("commission_rate"), name="sales_invoice_commission_0_100"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "company", "docstatus"], name="sales_invoice_party"),
            models.Index(
                fields=["company", "customer", "due_date"],
                condition=Q(docstatus="submitted") & Q(outstanding__gt=0),
                name="sales_invoice_open",
            ),
            # the invoice list's sort orders, so a page of a million invoices is an index scan
            models.Index(fields=["posting_date", "id"], name="sales_invoice_posting"),
            models.Index(fields=["due_date", "id"], name="sales_invoice_due"),
            models.Index(fields=["total", "id"], name="sales_invoice_total"),
            models.Index(fields=["number", "id"], name="sales_invoice_number_sort"),
        ]

    def __str__(self):
        return self.number or f"Draft invoice {self.pk} for {self.customer}"

    @property
    def is_draft(self):
        return self.docstatus == self.DocStatus.DRAFT

    def status_on(self, day) -> str:
        """What the user reads: Draft, Submitted, Partly Paid, Paid, Overdue or Cancelled."""
        if self.docstatus != self.DocStatus.SUBMITTED:
            return self.get_docstatus_display()
        if self.outstanding == 0:
            return "Paid"
        if self.due_date < day:
            return "Overdue"
        if self.outstanding < self.total:
            return "Partly Paid"
        return "Submitted"

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def clean(self):
        super().clean()
        if self.posting_date and self.due_date and self.due_date < self.posting_date:
            raise ValidationError(
                {
                    "due_date": f"The due date {self.due_date} is before the posting date "
                    f"{self.posting_date}."
                }
            )

    def delete(self, *args, **kwargs):
        if not self.is_draft:
            raise ValidationError(f"{self} is {self.docstatus}; only drafts can be deleted.")
        return super().delete(*args, **kwargs)


class SalesInvoiceLine(models.Model):
    invoice = models.ForeignKey(SalesInvoice, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("pricing.Item", on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(**RATE, validators=[MinValueValidator(Decimal("0.000001"))])
    rate = models.DecimalField(**RATE, validators=[MinValueValidator(0)])
    amount = models.DecimalField(**MONEY, help_text="Quantity times rate, rounded half-up.")

    class Meta:
        ordering = ["invoice", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_line_quantity_gt_0"),
            models.CheckConstraint(condition=Q(rate__gte=0), name="sales_line_rate_gte_0"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="sales_line_amount_gte_0"),
        ]

    def __str__(self):
        return f"{self.quantity} x {self.item} @ {self.rate}"

    def save(self, *args, **kwargs):
        self.amount = line_amount(self.quantity, self.rate)
        super().save(*args, **kwargs)


def line_amount(quantity, rate) -> Decimal:
    return to_money(Decimal(quantity) * Decimal(rate))


class SalesInvoiceTeamMember(models.Model):
    """The customer's sales team as it was when the invoice was raised."""

    invoice = models.ForeignKey(SalesInvoice, on_delete=models.CASCADE, related_name="sales_team")
    sales_person = models.ForeignKey(
        "crm.SalesPerson", on_delete=models.PROTECT, related_name="invoice_shares"
    )
    contribution = models.DecimalField("contribution (%)", max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["-contribution", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "sales_person"], name="sales_person_once_per_invoice"
            ),
            models.CheckConstraint(
                condition=percent_range("contribution", allow_zero=False),
                name="invoice_team_contribution_0_100",
            ),
        ]

    def __str__(self):
        return f"{self.sales_person} {self.contribution}% of {self.invoice}"


class Payment(models.Model):
    """Money received from a customer, posted at once: debit cash or bank, credit the
    customer's ledger. Allocations settle invoices; what is not allocated is an advance."""

    class DocStatus(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        CANCELLED = "cancelled", "Cancelled"

    class Mode(models.TextChoices):
        CASH = "cash", "Cash"
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        CHEQUE = "cheque", "Cheque"
        CARD = "card", "Card"

    number = models.CharField(max_length=40, unique=True, help_text="PAY-<ABBR>-<year>-00001")
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="payments"
    )
    customer = models.ForeignKey("crm.Customer", on_delete=models.PROTECT, related_name="payments")
    posting_date = models.DateField()
    amount = models.DecimalField(**MONEY)
    unallocated = models.DecimalField(
        **MONEY, default=ZERO, help_text="Not yet set against an invoice: an advance."
    )
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.BANK_TRANSFER)
    paid_to = models.ForeignKey(
        "accounts.Account",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The cash or bank ledger the money went into.",
    )
    reference = models.CharField(
        max_length=140, blank=True, help_text="Bank reference, cheque number or receipt."
    )
    docstatus = models.CharField(
        "document status",
        max_length=10,
        choices=DocStatus.choices,
        default=DocStatus.SUBMITTED,
    )
    journal = models.OneToOneField(
        "accounts.JournalEntry", on_delete=models.PROTECT, related_name="payment"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-posting_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_gt_0"),
            models.CheckConstraint(
                condition=Q(unallocated__gte=0) & Q(unallocated__lte=F("amount")),
                name="payment_unallocated_0_to_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "company", "docstatus"], name="payment_party"),
        ]

    def __str__(self):
        return self.number

    @property
    def allocated(self) -> Decimal:
        return self.amount - self.unallocated


class PaymentAllocation(models.Model):
    """Part of a payment set against one invoice; lowers that invoice's outstanding."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(SalesInvoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(**MONEY)
    allocated_on = models.DateField(help_text="The payment's date, or the day an advance was set.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["payment", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_gt_0"),
        ]

    def __str__(self):
        return f"{self.amount:,.2f} of {self.payment} to {self.invoice}"
