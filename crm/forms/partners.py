"""The sales partner form, and the percentage field the customer form shares."""

from decimal import Decimal

from django import forms

from crm.models import SalesPartner, Territory

from . import BootstrapModelForm, LeafChoiceField

PERCENT_RANGE_MESSAGE = "Enter a percentage from 0 to 100."


class PercentField(forms.DecimalField):
    """A percentage from 0 to 100 that says so when out of range, shown without trailing zeros."""

    default_error_messages = {
        "min_value": PERCENT_RANGE_MESSAGE,
        "max_value": PERCENT_RANGE_MESSAGE,
    }

    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=100, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value.normalize():f}"  # stored with six places: 12.500000 shows as 12.5
        return value


class NodeChoiceField(LeafChoiceField):
    """Offers every node of a tree, groups included, each labelled with its path."""

    def __init__(self, model, **kwargs):
        super().__init__(model, **kwargs)
        self.queryset = model.objects.with_tree_fields().tree_fields(tree_names="name")


class SalesPartnerForm(BootstrapModelForm):
    territory = NodeChoiceField(
        Territory,
        required=False,
        help_text="Any territory; a group covers every territory below it.",
    )

    class Meta:
        model = SalesPartner
        fields = ["name", "partner_type", "territory", "commission_rate"]
        field_classes = {"commission_rate": PercentField}
