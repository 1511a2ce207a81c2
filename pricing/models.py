from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .validators import validate_currency_code

RATE = {"max_digits": 18, "decimal_places": 6}


class PriceListQuerySet(models.QuerySet):
    def selling(self):
        return self.filter(selling=True, enabled=True)


class PriceList(models.Model):
    name = models.CharField(max_length=140, unique=True)
    currency = models.CharField(max_length=3, validators=[validate_currency_code])
    selling = models.BooleanField(default=True)
    buying = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)

    objects = PriceListQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(selling=True) | Q(buying=True),
                name="price_list_selling_or_buying",
                violation_error_message="A price list is for selling, buying or both.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.currency:
            self.currency = self.currency.upper()


class Item(models.Model):
    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=140)
    unit_of_measure = models.CharField(max_length=20, default="Nos")
    standard_cost = models.DecimalField(
        **RATE,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
        help_text="Cost of one unit, for margin reports.",
    )
    disabled = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(standard_cost__gte=0), name="item_cost_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class ItemPrice(models.Model):
    """An item's rate in a price list, valid from one date up to another (both optional).

    Windows of the same item in the same list never overlap: the services check it under a
    lock, and on PostgreSQL an exclusion constraint refuses it too.
    """

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="prices")
    rate = models.DecimalField(**RATE, validators=[MinValueValidator(0)])
    valid_from = models.DateField(null=True, blank=True, help_text="Empty: always was.")
    valid_upto = models.DateField(null=True, blank=True, help_text="Empty: until further notice.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["price_list", "item", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(rate__gte=0), name="item_price_not_negative"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_upto__isnull=True)
                | Q(valid_upto__gte=F("valid_from")),
                name="item_price_window_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["price_list", "item", "valid_from"], name="item_price_lookup"),
        ]

    def __str__(self):
        return f"{self.item.code} in {self.price_list}: {self.rate}"

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_upto and self.valid_upto < self.valid_from:
            raise ValidationError({"valid_upto": "Valid up to comes before valid from."})
