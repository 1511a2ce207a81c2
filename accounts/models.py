from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models import F, Q
from simple_history.models import HistoricalRecords
from tree_queries.fields import TreeNodeForeignKey
from tree_queries.models import TreeNode
from tree_queries.query import TreeQuerySet

from pricing.validators import validate_currency_code

MONEY = {"max_digits": 18, "decimal_places": 2}
ZERO = Decimal("0.00")


class CreditTerms(models.Model):
    """When invoices fall due: a rule and, for the fixed rule, a number of days.

    Empty on a customer or customer group means "as above" (group, then company).
    """

    class Rule(models.TextChoices):
        FIXED_DAYS = "fixed_days", "Fixed days after the invoice date"
        END_OF_NEXT_MONTH = "end_of_next_month", "Last day of the next month"

    credit_days_rule = models.CharField(
        "payment terms", max_length=20, choices=Rule.choices, blank=True
    )
    credit_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="For fixed days after the invoice date."
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.credit_days_rule == self.Rule.FIXED_DAYS and self.credit_days is None:
            raise ValidationError(
                {"credit_days": "Give the number of days after the invoice date."}
            )
        if self.credit_days_rule != self.Rule.FIXED_DAYS and self.credit_days is not None:
            raise ValidationError(
                {"credit_days": "Credit days apply only to 'Fixed days after the invoice date'."}
            )


def credit_terms_constraint(prefix):
    return models.CheckConstraint(
        condition=(Q(credit_days_rule="fixed_days") & Q(credit_days__isnull=False))
        | (~Q(credit_days_rule="fixed_days") & Q(credit_days__isnull=True)),
        name=f"{prefix}_credit_days_match_rule",
    )


def credit_limit_constraint(prefix):
    return models.CheckConstraint(
        condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0),
        name=f"{prefix}_credit_limit_not_negative",
    )


class AtomicSaveModel(models.Model):
    """Saving or deleting runs the receivers' work (a chart, a ledger, a guard) in one savepoint.

    A receiver that refuses (raises) undoes the whole save or delete and leaves an enclosing
    transaction usable.
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            return super().delete(*args, **kwargs)


class Company(CreditTerms, AtomicSaveModel):
    name = models.CharField(max_length=140, unique=True)
    abbreviation = models.CharField(
        max_length=10,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9]+$", "Use letters and digits only, no spaces (for example DT)."
            )
        ],
        help_text="Short code appended to account names, as in 'Sales - DT'.",
    )
    default_currency = models.CharField(
        max_length=3, validators=[validate_currency_code], help_text="ISO 4217 code, e.g. EUR."
    )
    receivable_group = models.ForeignKey(
        "Account",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        help_text=(
            "Customer ledgers open under this group. Changing it affects ledgers opened "
            "afterwards; existing ledgers stay where they are."
        ),
    )
    payable_group = models.ForeignKey(
        "Account",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="+",
        help_text=(
            "Supplier ledgers open under this group. Changing it affects ledgers opened "
            "afterwards; existing ledgers stay where they are."
        ),
    )
    default_income_account = models.ForeignKey(
        "Account", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    credit_limit = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
        help_text="Global credit limit for customers that have none of their own. Empty: none.",
    )
    default_selling_price_list = models.ForeignKey(
        "pricing.PriceList",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Used when neither the customer nor its groups name a price list.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        constraints = [
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0),
                name="company_credit_limit_not_negative",
            ),
            credit_terms_constraint("company"),
        ]

    def __str__(self):
        return self.name

    def suffixed(self, account_name):
        return f"{account_name} - {self.abbreviation}"

    def clean(self):
        super().clean()
        if self.default_currency:
            self.default_currency = self.default_currency.upper()
        if self.pk is None:
            return
        errors = {}
        checks = {
            "receivable_group": (self.receivable_group, Account.Type.RECEIVABLE, True),
            "payable_group": (self.payable_group, Account.Type.PAYABLE, True),
            "default_income_account": (self.default_income_account, Account.Type.INCOME, False),
        }
        for field, (account, account_type, is_group) in checks.items():
            problem = account and account.unfit_for(self, account_type, is_group=is_group)
            if problem:
                errors[field] = problem
        if errors:
            raise ValidationError(errors)


class AccountQuerySet(TreeQuerySet):
    def for_company(self, company):
        return self.filter(company=company)

    def groups(self):
        return self.filter(is_group=True)

    def ledgers(self):
        return self.filter(is_group=False)


class Account(TreeNode):
    class RootType(models.TextChoices):
        ASSET = "asset", "Asset"
        LIABILITY = "liability", "Liability"
        EQUITY = "equity", "Equity"
        INCOME = "income", "Income"
        EXPENSE = "expense", "Expense"

    class Type(models.TextChoices):
        NONE = "", "None"
        RECEIVABLE = "receivable", "Receivable"
        PAYABLE = "payable", "Payable"
        BANK = "bank", "Bank"
        CASH = "cash", "Cash"
        INCOME = "income", "Income"
        EXPENSE = "expense", "Expense"
        TAX = "tax", "Tax"

    # Both foreign keys are the first column of an index below, which serves their lookups;
    # an index of their own would only slow down opening ledgers in bulk.
    parent = TreeNodeForeignKey(
        "self",
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="children",
        help_text="A group account of the same company.",
        db_index=False,
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="accounts", db_index=False
    )
    name = models.CharField(max_length=255)
    number = models.CharField(max_length=20, blank=True)
    is_group = models.BooleanField(default=False)
    root_type = models.CharField(
        max_length=10, choices=RootType.choices, blank=True, help_text="Inherited from the parent."
    )
    account_type = models.CharField(max_length=12, choices=Type.choices, blank=True)
    frozen = models.BooleanField(default=False, help_text="Frozen accounts take no postings.")

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["company", "number", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name"], name="account_name_unique_per_company"
            ),
            models.UniqueConstraint(
                fields=["company", "number"],
                condition=~Q(number=""),
                name="account_number_unique_per_company",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="account_is_not_its_own_parent"
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | ~Q(root_type=""),
                name="root_account_has_root_type",
            ),
        ]
        indexes = [models.Index(fields=["parent", "name"], name="account_children_by_name")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.parent_id:
            self.root_type = self.parent.root_type
        super().save(*args, **kwargs)

    def has_postings(self):
        return self.pk is not None and self.gl_entries.exists()

    def unfit_for(self, company, account_type, *, is_group):
        """Why this account cannot serve `company` as a (group) account of `account_type`."""
        kind = "group" if is_group else "ledger"
        if self.company_id != company.pk:
            return f"{self} belongs to {self.company}, not to {company}."
        if self.is_group != is_group or self.account_type != account_type:
            return f"Choose a {Account.Type(account_type).label.lower()} {kind} account."
        return None

    def clean(self):
        super().clean()  # refuses cycles
        errors = {}
        if self.parent_id:
            parent = self.parent
            if parent.company_id != self.company_id:
                errors["parent"] = f"The parent {parent} belongs to another company."
            elif not parent.is_group:
                errors["parent"] = f"{parent} is a ledger; only a group can have children."
        elif not self.root_type:
            errors["root_type"] = "A top-level account needs a root type."
        if self.pk and not self.is_group and self.children.exists():
            errors["is_group"] = "This group has child accounts; it cannot become a ledger."
        if self.is_group and self.has_postings():
            errors["is_group"] = "This account has postings; it cannot become a group."
        if errors:
            raise ValidationError(errors)


class NamingSeries(models.Model):
    """A gap-free counter per prefix (CUST-, SINV-2026-); rows are locked to hand out numbers."""

    prefix = models.CharField(max_length=40, unique=True)
    current = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "naming series"

    def __str__(self):
        return f"{self.prefix} (at {self.current})"


class PostedQuerySet(models.QuerySet):
    """Posted entries are immutable: no bulk update or delete either."""

    def update(self, **kwargs):
        raise ValidationError("Posted entries cannot be changed; post a reversal.")

    def delete(self):
        raise ValidationError("Posted entries cannot be deleted; post a reversal.")


class PostedRecord(models.Model):
    """Written once: a saved row is never changed or deleted (a reversal cancels it)."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(
                f"Posted {self._meta.verbose_name_plural} cannot be changed; post a reversal."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(
            f"Posted {self._meta.verbose_name_plural} cannot be deleted; post a reversal."
        )


class JournalEntryQuerySet(PostedQuerySet):
    def for_company(self, company):
        return self.filter(company=company)


class JournalEntry(PostedRecord):
    """A posted, balanced journal. Never edited: cancelling posts a reversal that points here."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="journal_entries")
    posting_date = models.DateField()
    remark = models.CharField(max_length=255, blank=True)
    voucher_type = models.CharField(max_length=40, blank=True)
    voucher_number = models.CharField(max_length=40, blank=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        help_text="The entry this one cancels.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-posting_date", "-id"]
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["voucher_type", "voucher_number"], name="journal_voucher")]

    def __str__(self):
        return f"JE-{self.pk} {self.posting_date}"

    @property
    def is_cancelled(self):
        return hasattr(self, "reversed_by")


class GLEntry(PostedRecord):
    journal = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="gl_entries")
    debit = models.DecimalField(**MONEY, default=ZERO)
    credit = models.DecimalField(**MONEY, default=ZERO)
    remark = models.CharField(max_length=255, blank=True)

    objects = PostedQuerySet.as_manager()

    class Meta:
        verbose_name = "GL entry"
        verbose_name_plural = "GL entries"
        constraints = [
            models.CheckConstraint(condition=Q(debit__gte=0), name="gl_debit_not_negative"),
            models.CheckConstraint(condition=Q(credit__gte=0), name="gl_credit_not_negative"),
            models.CheckConstraint(
                condition=Q(debit=0) | Q(credit=0), name="gl_not_both_debit_and_credit"
            ),
        ]

    def __str__(self):
        return f"{self.account}: Dr {self.debit} Cr {self.credit}"
