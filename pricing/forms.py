"""Forms for price lists, items and item prices; the overlap rule stays in the services."""

from django import forms
from django.utils import timezone

from config.forms import BootstrapForm, BootstrapModelForm

from .models import Item, PriceList

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PriceListForm(BootstrapModelForm):
    class Meta:
        model = PriceList
        fields = ["name", "currency", "selling", "buying", "enabled"]
        help_texts = {"currency": "ISO 4217 code, for example EUR, USD or GBP."}

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()


class ItemForm(BootstrapModelForm):
    class Meta:
        model = Item
        fields = ["code", "name", "unit_of_measure", "standard_cost", "disabled"]


class ItemPriceForm(BootstrapForm):
    """Collects an item price; the services check the window and say what clashes.

    A plain form, not a model form: the model's own checks would repeat the services'
    with vaguer messages.
    """

    item = forms.ModelChoiceField(queryset=Item.objects.filter(disabled=False))
    rate = forms.DecimalField(max_digits=18, decimal_places=6, min_value=0)
    valid_from = forms.DateField(
        required=False, widget=DATE_INPUT, help_text="Empty: from the beginning."
    )
    valid_upto = forms.DateField(
        label="Valid up to",
        required=False,
        widget=DATE_INPUT,
        help_text="Empty: until further notice.",
    )

    def __init__(self, *args, item_price=None, **kwargs):
        if item_price is not None:
            kwargs.setdefault(
                "initial",
                {
                    "rate": f"{item_price.rate.normalize():f}",
                    "valid_from": item_price.valid_from,
                    "valid_upto": item_price.valid_upto,
                },
            )
        super().__init__(*args, **kwargs)
        if item_price is not None:
            del self.fields["item"]  # a price stays with its item; add a new one for another


class EndItemPriceForm(BootstrapForm):
    valid_upto = forms.DateField(
        label="Last day valid",
        widget=DATE_INPUT,
        help_text="The price applies up to and including this day.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_upto"].initial = timezone.localdate()
