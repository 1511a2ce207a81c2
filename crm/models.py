from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords
from tree_queries.fields import TreeNodeForeignKey
from tree_queries.models import TreeNode
from tree_queries.query import TreeQuerySet

from accounts.models import (
    Account,
    AtomicSaveModel,
    Company,
    CreditTerms,
    credit_limit_constraint,
    credit_terms_constraint,
)


def _present(field, name):
    """An index of a mostly empty foreign key's values that are there."""
    return models.Index(fields=[field], condition=Q(**{f"{field}__isnull": False}), name=name)


class TreeMasterQuerySet(TreeQuerySet):
    def leaves(self):
        return self.filter(is_group=False)


class TreeMaster(TreeNode):
    """A small named tree (customer groups, territories): groups hold nodes, leaves hold parties."""

    parent = TreeNodeForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(max_length=140, unique=True)
    is_group = models.BooleanField(
        default=False, help_text="Groups hold other nodes; only leaves can be given to a party."
    )

    objects = TreeMasterQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def member_count(self):
        return self.members().count()

    def members(self):
        raise NotImplementedError

    def clean(self):
        super().clean()  # refuses cycles
        errors = {}
        if self.parent_id and not self.parent.is_group:
            errors["parent"] = f"{self.parent} is a leaf; choose a group as the parent."
        if self.pk and not self.is_group and self.children.exists():
            errors["is_group"] = f"{self} has child nodes; it must stay a group."
        if self.pk and self.is_group and self.members().exists():
            errors["is_group"] = (
                f"{self} has {self.member_count()} customer(s); move them before making it a group."
            )
        if errors:
            raise ValidationError(errors)

    def deletion_blockers(self) -> list[str]:
        reasons = []
        if self.children.exists():
            reasons.append(f"{self} has child nodes; delete or move them first.")
        if self.members().exists():
            reasons.append(f"{self} has {self.member_count()} customer(s); move them first.")
        return reasons


class CustomerDefaults(CreditTerms):
    """What a customer group passes down to its customers, and a customer may override."""

    default_price_list = models.ForeignKey(
        "pricing.PriceList",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # mostly empty: Customer indexes the values that are there
    )
    credit_limit = models.DecimalField(
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="Empty: as the customer group (then the company) says.",
    )

    class Meta:
        abstract = True


class CustomerGroup(CustomerDefaults, TreeMaster):
    class Meta(TreeMaster.Meta):
        constraints = [
            credit_terms_constraint("customer_group"),
            credit_limit_constraint("customer_group"),
        ]

    def members(self):
        return self.customers.all()


class Territory(TreeMaster):
    class Meta(TreeMaster.Meta):
        verbose_name_plural = "territories"

    def members(self):
        return self.customers.all()


PERCENT = {"max_digits": 9, "decimal_places": 6}


def percent_range(field, *, allow_zero=True):
    low = Q(**{f"{field}__gte": 0}) if allow_zero else Q(**{f"{field}__gt": 0})
    return low & Q(**{f"{field}__lte": 100})


class SalesPerson(TreeMaster):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sales_person",
    )
    commission_rate = models.DecimalField(
        **PERCENT,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent of net sales.",
    )

    class Meta(TreeMaster.Meta):
        verbose_name_plural = "sales persons"
        constraints = [
            models.CheckConstraint(
                condition=percent_range("commission_rate"), name="sales_person_commission_0_100"
            ),
        ]

    def members(self):
        return Customer.objects.filter(sales_team__sales_person=self).distinct()


class SalesPartner(models.Model):
    """A third party who sells for a commission; the end customer is still ours."""

    class Kind(models.TextChoices):
        CHANNEL_PARTNER = "channel_partner", "Channel Partner"
        DISTRIBUTOR = "distributor", "Distributor"
        DEALER = "dealer", "Dealer"
        AGENT = "agent", "Agent"
        RETAILER = "retailer", "Retailer"
        RESELLER = "reseller", "Reseller"
        IMPLEMENTATION_PARTNER = "implementation_partner", "Implementation Partner"

    name = models.CharField(max_length=140, unique=True)
    partner_type = models.CharField(max_length=24, choices=Kind.choices)
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, null=True, blank=True, related_name="sales_partners"
    )
    commission_rate = models.DecimalField(
        **PERCENT,
        default=Decimal(0),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent of net sales.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=percent_range("commission_rate"), name="sales_partner_commission_0_100"
            ),
        ]

    def __str__(self):
        return self.name


class CustomerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(disabled=False)

    def for_company(self, company):
        return self.filter(company=company)


class CodedParty(AtomicSaveModel):
    """A customer or supplier: its code is assigned on save when left blank."""

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        if not self.code:  # assigned on save, so "not blank" holds by then
            exclude = {*(exclude or ()), "code"}
        super().validate_constraints(exclude=exclude)


HISTORY_UNINDEXED = [
    "code",
    "company",
    "customer_group",
    "territory",
    "default_sales_partner",
    "default_price_list",
]


class Customer(CustomerDefaults, CodedParty):
    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        INDIVIDUAL = "individual", "Individual"

    code = models.CharField(
        max_length=40, unique=True, blank=True, help_text="Left blank, CUST-00001... is assigned."
    )
    name = models.CharField(max_length=140)
    customer_type = models.CharField(max_length=12, choices=Kind.choices, default=Kind.COMPANY)
    customer_group = models.ForeignKey(
        CustomerGroup, on_delete=models.PROTECT, related_name="customers"
    )
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, related_name="customers")
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="customers",
        help_text="Saving opens the customer's receivable ledger in this company.",
    )
    disabled = models.BooleanField(default=False)
    frozen = models.BooleanField(default=False, help_text="Frozen customers cannot be invoiced.")
    tax_id = models.CharField("tax ID", max_length=40, blank=True)
    website = models.URLField(max_length=255, blank=True)
    notes = models.TextField(blank=True)
    default_sales_partner = models.ForeignKey(
        SalesPartner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        db_index=False,
    )
    default_commission_rate = models.DecimalField(
        **PERCENT,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Percent; empty: the sales partner's rate.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CustomerQuerySet.as_manager()
    # A customer's history is read by the customer (its id) and by date; indexes on the other
    # columns would only slow every save and bulk import down.
    history = HistoricalRecords(no_db_index=HISTORY_UNINDEXED)

    class Meta:
        ordering = ["name", "code"]
        indexes = [
            models.Index(fields=["name"], name="customer_name"),
            _present("default_price_list", "customer_price_list"),
            _present("default_sales_partner", "customer_sales_partner"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="customer_code_not_blank"),
            models.CheckConstraint(
                condition=Q(default_commission_rate__isnull=True)
                | percent_range("default_commission_rate"),
                name="customer_commission_0_100",
            ),
            credit_terms_constraint("customer"),
            credit_limit_constraint("customer"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})" if self.code else self.name

    def clean(self):
        super().clean()
        errors = {}
        for field in ("customer_group", "territory"):
            node = getattr(self, field, None) if getattr(self, f"{field}_id") else None
            if node is not None and node.is_group:
                label = self._meta.get_field(field).verbose_name
                errors[field] = f"{node} is a group; choose a {label} without children."
        company = self.company if self.company_id else None
        if company is not None and company.receivable_group_id is None:
            errors["company"] = missing_group_message(company, "receivable group")
        if errors:
            raise ValidationError(errors)


class SalesTeamMember(models.Model):
    """A sales person's share of a customer's sales; a customer's shares total 100 %."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="sales_team")
    sales_person = models.ForeignKey(
        SalesPerson, on_delete=models.PROTECT, related_name="team_memberships"
    )
    contribution = models.DecimalField(
        "contribution (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(100)],
    )

    class Meta:
        ordering = ["-contribution", "sales_person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "sales_person"], name="sales_person_once_per_customer"
            ),
            models.CheckConstraint(
                condition=percent_range("contribution", allow_zero=False),
                name="sales_team_contribution_0_100",
            ),
        ]
        indexes = [
            # the customer list's "sales person" filter starts from the person
            models.Index(fields=["sales_person", "customer"], name="sales_team_by_person"),
        ]

    def __str__(self):
        return f"{self.sales_person} {self.contribution}% of {self.customer}"

    def clean(self):
        super().clean()
        if self.sales_person_id and self.sales_person.is_group:
            raise ValidationError(
                {"sales_person": f"{self.sales_person} is a group; choose a sales person."}
            )


class Supplier(CodedParty):
    class Kind(models.TextChoices):
        COMPANY = "company", "Company"
        INDIVIDUAL = "individual", "Individual"

    code = models.CharField(
        max_length=40, unique=True, blank=True, help_text="Left blank, SUPP-00001... is assigned."
    )
    name = models.CharField(max_length=140)
    supplier_type = models.CharField(max_length=12, choices=Kind.choices, default=Kind.COMPANY)
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="suppliers",
        help_text="Saving opens the supplier's payable ledger in this company.",
    )
    disabled = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "code"]
        constraints = [
            models.CheckConstraint(condition=~Q(code=""), name="supplier_code_not_blank"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})" if self.code else self.name

    def clean(self):
        super().clean()
        company = self.company if self.company_id else None
        if company is not None and company.payable_group_id is None:
            raise ValidationError({"company": missing_group_message(company, "payable group")})


def missing_group_message(company, setting):
    return (
        f"Company {company} has no {setting}. Set it first "
        f"(Companies > {company} > {setting.capitalize()})."
    )


class PartyLedger(models.Model):
    """A party's own ledger account in one company: at most one per (party, company)."""

    # indexed by the one-ledger-per-company constraints, which lead with them
    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ledgers",
        db_index=False,
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="ledgers",
        db_index=False,
    )
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="party_ledgers")
    account = models.OneToOneField(Account, on_delete=models.PROTECT, related_name="party_ledger")
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False, supplier__isnull=True)
                | Q(customer__isnull=True, supplier__isnull=False),
                name="party_ledger_has_one_party",
            ),
            models.UniqueConstraint(
                fields=["customer", "company"],
                condition=Q(customer__isnull=False),
                name="one_ledger_per_customer_and_company",
            ),
            models.UniqueConstraint(
                fields=["supplier", "company"],
                condition=Q(supplier__isnull=False),
                name="one_ledger_per_supplier_and_company",
            ),
        ]

    def __str__(self):
        return str(self.account)

    @property
    def party(self):
        return self.customer or self.supplier


# --- contacts and addresses ---------------------------------------------------------------


class Contact(models.Model):
    """A person, stored once and linked to any number of customers and suppliers."""

    salutation = models.CharField(max_length=20, blank=True)
    first_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    designation = models.CharField(max_length=100, blank=True)
    department = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["first_name", "last_name", "pk"]
        indexes = [models.Index(fields=["last_name", "first_name"], name="contact_name")]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        parts = (self.salutation, self.first_name, self.middle_name, self.last_name)
        return " ".join(part for part in parts if part)


# Foreign keys that lead a unique constraint's index need no index of their own (db_index=False);
# ones that are mostly empty get a partial index of their non-empty values. Each index costs
# every bulk import a write per row.


class ContactEmail(models.Model):
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="emails", db_index=False
    )
    email = models.EmailField(max_length=254)
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "email"], name="contact_email_once"),
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(is_primary=True),
                name="one_primary_email_per_contact",
            ),
        ]
        indexes = [models.Index(fields=["email"], name="contact_email")]

    def __str__(self):
        return self.email


class ContactPhone(models.Model):
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="phones", db_index=False
    )
    number = models.CharField(
        max_length=40, help_text="E.164 (+4930123456) where it can be parsed."
    )
    is_primary = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_primary", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "number"], name="contact_phone_once"),
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(is_primary=True),
                name="one_primary_phone_per_contact",
            ),
        ]
        indexes = [models.Index(fields=["number"], name="contact_phone")]

    def __str__(self):
        return self.number


class Address(models.Model):
    class Kind(models.TextChoices):
        BILLING = "billing", "Billing"
        SHIPPING = "shipping", "Shipping"
        OFFICE = "office", "Office"
        PERSONAL = "personal", "Personal"
        PLANT = "plant", "Plant"
        POSTAL = "postal", "Postal"
        SHOP = "shop", "Shop"
        SUBSIDIARY = "subsidiary", "Subsidiary"
        WAREHOUSE = "warehouse", "Warehouse"
        OTHER = "other", "Other"

    title = models.CharField(max_length=140, blank=True)
    address_type = models.CharField(max_length=12, choices=Kind.choices, default=Kind.BILLING)
    line1 = models.CharField("address line 1", max_length=255)
    line2 = models.CharField("address line 2", max_length=255, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField("state/county", max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True, help_text="Kept as typed.")
    country = CountryField()
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["title", "city", "pk"]
        verbose_name_plural = "addresses"

    def __str__(self):
        return self.title or f"{self.line1}, {self.city}"


def _one_party_constraints(prefix):
    return [
        models.CheckConstraint(
            condition=Q(customer__isnull=False, supplier__isnull=True)
            | Q(customer__isnull=True, supplier__isnull=False),
            name=f"{prefix}_has_one_party",
        ),
    ]


def _once_per_party(prefix, item):
    return [
        models.UniqueConstraint(
            fields=[item, party],
            condition=Q(**{f"{party}__isnull": False}),
            name=f"{prefix}_once_per_{party}",
        )
        for party in ("customer", "supplier")
    ]


def _one_primary_per_party(prefix, flag):
    return [
        models.UniqueConstraint(
            fields=[party],
            condition=Q(**{flag: True, f"{party}__isnull": False}),
            name=f"{prefix}_one_{flag}_per_{party}",
        )
        for party in ("customer", "supplier")
    ]


class ContactLink(models.Model):
    """A contact belongs to a party; `is_primary` marks the party's main contact."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="links")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="contact_links"
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="contact_links",
        db_index=False,
    )
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [
            *_one_party_constraints("contact_link"),
            *_once_per_party("contact_link", "contact"),
            *_one_primary_per_party("contact_link", "is_primary"),
        ]
        indexes = [_present("supplier", "contact_link_supplier")]

    def __str__(self):
        return f"{self.contact} @ {self.customer or self.supplier}"


class AddressLink(models.Model):
    """An address belongs to a party; a party has one primary billing and one shipping address."""

    address = models.ForeignKey(Address, on_delete=models.CASCADE, related_name="links")
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, null=True, blank=True, related_name="address_links"
    )
    supplier = models.ForeignKey(
        Supplier,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="address_links",
        db_index=False,
    )
    is_primary_billing = models.BooleanField(default=False)
    is_primary_shipping = models.BooleanField(default=False)

    class Meta:
        constraints = [
            *_one_party_constraints("address_link"),
            *_once_per_party("address_link", "address"),
            *_one_primary_per_party("address_link", "is_primary_billing"),
            *_one_primary_per_party("address_link", "is_primary_shipping"),
        ]
        indexes = [_present("supplier", "address_link_supplier")]

    def __str__(self):
        return f"{self.address} @ {self.customer or self.supplier}"
