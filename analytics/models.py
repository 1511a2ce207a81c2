"""Sales targets per territory and per sales person, and how a year's target splits into months."""

import calendar
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Abs
from django.db.models.lookups import LessThan

from accounts.models import MONEY

MONTHS = range(1, 13)
MONTH_FIELDS = [f"month_{month}" for month in MONTHS]
HUNDRED = Decimal(100)
# Percentages have two decimals, so a sum within half a hundredth of 100 is exactly 100 (the
# margin only absorbs SQLite's binary floating point, which stores decimals as REAL).
SUM_TOLERANCE = Decimal("0.005")
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _month_percent_field(month):
    return models.DecimalField(
        calendar.month_name[month],
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent of the year's target.",
    )


class MonthlyDistribution(models.Model):
    """How a year's target spreads over its months, in percentages that total exactly 100."""

    name = models.CharField(max_length=140, unique=True)
    month_1 = _month_percent_field(1)
    month_2 = _month_percent_field(2)
    month_3 = _month_percent_field(3)
    month_4 = _month_percent_field(4)
    month_5 = _month_percent_field(5)
    month_6 = _month_percent_field(6)
    month_7 = _month_percent_field(7)
    month_8 = _month_percent_field(8)
    month_9 = _month_percent_field(9)
    month_10 = _month_percent_field(10)
    month_11 = _month_percent_field(11)
    month_12 = _month_percent_field(12)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=LessThan(
                    Abs(sum((F(field) for field in MONTH_FIELDS), Value(-HUNDRED))),
                    Value(SUM_TOLERANCE),
                ),
                name="monthly_distribution_totals_100",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{field}__gte": 0}), name=f"monthly_distribution_{field}_gte_0"
                )
                for field in MONTH_FIELDS
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def percentages(self) -> list[Decimal]:
        """January to December."""
        return [Decimal(getattr(self, field) or 0) for field in MONTH_FIELDS]

    def clean(self):
        super().clean()
        total = sum(self.percentages, Decimal(0))
        if total != HUNDRED:
            raise ValidationError(
                f"The months total {total}% and must total exactly 100%; "
                f"change them by {HUNDRED - total}%."
            )


class SalesTarget(models.Model):
    """A year's sales target of one territory or one sales person in one company."""

    company = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, related_name="sales_targets"
    )
    fiscal_year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
        help_text="The calendar year the target runs over.",
    )
    territory = models.ForeignKey(
        "crm.Territory",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sales_targets",
    )
    sales_person = models.ForeignKey(
        "crm.SalesPerson",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sales_targets",
    )
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    distribution = models.ForeignKey(
        MonthlyDistribution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        help_text="Empty: the amount splits evenly over the twelve months.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-fiscal_year", "company__name", "territory__name", "sales_person__name"]
        permissions = [("view_reports_salestarget", "Can view the sales reports and the dashboard")]
        constraints = [
            models.CheckConstraint(
                condition=Q(territory__isnull=False, sales_person__isnull=True)
                | Q(territory__isnull=True, sales_person__isnull=False),
                name="sales_target_for_territory_or_sales_person",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="sales_target_amount_gte_0"),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=FIRST_YEAR) & Q(fiscal_year__lte=LAST_YEAR),
                name="sales_target_year_in_range",
            ),
            models.UniqueConstraint(
                fields=["company", "fiscal_year", "territory"],
                condition=Q(territory__isnull=False),
                name="one_target_per_territory_and_year",
            ),
            models.UniqueConstraint(
                fields=["company", "fiscal_year", "sales_person"],
                condition=Q(sales_person__isnull=False),
                name="one_target_per_sales_person_and_year",
            ),
        ]

    def __str__(self):
        return f"{self.owner} {self.fiscal_year} ({self.company}): {self.amount:,.2f}"

    @property
    def owner(self):
        """The territory or the sales person the target is for."""
        return self.territory or self.sales_person

    def clean(self):
        super().clean()
        if bool(self.territory_id) == bool(self.sales_person_id):
            raise ValidationError("Set a target for either a territory or a sales person.")


# --- summaries the reports and the dashboard read (kept by `analytics.summaries`) ----------

COST = {"max_digits": 30, "decimal_places": 6}  # quantity x standard cost, not yet rounded


class SalesFact(models.Model):
    """A submitted invoice's figures for the reports, one row without joins: its cost (line
    quantities times item standard costs) and the payments set against it, so that a report
    over a year of invoices reads one narrow table instead of three wide ones."""

    invoice = models.OneToOneField(
        "invoicing.SalesInvoice", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE, related_name="+")
    posting_date = models.DateField()
    net_sales = models.DecimalField(**MONEY)
    cost = models.DecimalField(**COST)
    outstanding = models.DecimalField(**MONEY)
    paid = models.DecimalField(**MONEY, help_text="Allocated by submitted payments.")
    paid_days = models.DecimalField(
        **MONEY, help_text="Each allocation times the days from the invoice's date to it."
    )

    class Meta:
        indexes = [
            models.Index(fields=["posting_date", "company"], name="sales_fact_period"),
            models.Index(fields=["customer", "company"], name="sales_fact_customer"),
        ]

    def __str__(self):
        return f"Figures of invoice {self.invoice_id}"


class CustomerOpenAmount(models.Model):
    """What a customer's submitted invoices in a company await (rows with nothing open are
    removed), for the dashboard's credit watch."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE, related_name="+")
    outstanding = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "company"], name="one_open_amount_per_customer_and_company"
            ),
            models.CheckConstraint(
                condition=Q(outstanding__gt=0), name="customer_open_amount_gt_0"
            ),
        ]

    def __str__(self):
        return f"{self.customer_id} in {self.company_id}: {self.outstanding}"


class OpenAmountByDueDate(models.Model):
    """What a company's submitted invoices due on one day await: the dashboard's receivable
    and overdue are sums of a few hundred of these rows (a day paid in full stays at 0)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField()
    outstanding = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "due_date"], name="one_open_amount_per_company_and_day"
            ),
            models.CheckConstraint(
                condition=Q(outstanding__gte=0), name="open_amount_by_day_gte_0"
            ),
        ]

    def __str__(self):
        return f"{self.company_id} due {self.due_date}: {self.outstanding}"
