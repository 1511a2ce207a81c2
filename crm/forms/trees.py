"""Forms of the tree pages: a node's own fields, and the group to move it under."""

from functools import cache

from django import forms

from crm.models import CustomerGroup, SalesPerson

from . import BootstrapForm, LeafChoiceField
from .customers import CREDIT_FIELDS, credit_or_default_field
from .partners import PercentField

NODE_FIELDS = ["name", "is_group"]
DETAIL_FIELDS = {SalesPerson: ["user", "commission_rate"], CustomerGroup: CREDIT_FIELDS}
LABELS = {"is_group": "Group", "commission_rate": "Commission rate (%)"}
HELP_TEXTS = {
    "credit_limit": "Empty: as the parent group (then the company) says.",
    "credit_days_rule": "Empty: as the parent group (then the company) says.",
}


@cache
def node_form_class(model) -> type[BootstrapForm]:
    """A form with the node's name and group flag, plus a sales person's user and commission,
    or the price list, credit terms and credit limit a customer group passes down.

    A plain form: the rules between nodes live in the services, which the views call with
    the cleaned data.
    """
    fields = forms.fields_for_model(
        model,
        fields=NODE_FIELDS + DETAIL_FIELDS.get(model, []),
        labels=LABELS,
        help_texts=HELP_TEXTS,
        field_classes={"commission_rate": PercentField},
        formfield_callback=credit_or_default_field,
    )
    return type(f"{model.__name__}Form", (BootstrapForm,), fields)


class SelectWithDisabledOptions(forms.Select):
    """A select that shows the options in `disabled_values` but does not let them be chosen."""

    disabled_values = frozenset()

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if getattr(value, "value", value) in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class GroupChoiceField(forms.ModelChoiceField):
    """A choice among groups, each labelled with its path from the root."""

    widget = SelectWithDisabledOptions
    label_from_instance = LeafChoiceField.label_from_instance


class MoveNodeForm(BootstrapForm):
    """The group to hang `node` under. The node itself and the groups inside it show greyed
    out; the move service refuses them with a message, should one be posted anyway."""

    parent = GroupChoiceField(queryset=None, label="New parent")

    def __init__(self, *args, node, **kwargs):
        super().__init__(*args, initial={"parent": node.parent_id}, **kwargs)
        model = type(node)
        field = self.fields["parent"]
        field.queryset = (
            model.objects.filter(is_group=True).with_tree_fields().tree_fields(tree_names="name")
        )
        inside = node.descendants(include_self=True).values_list("pk", flat=True)
        field.widget.disabled_values = frozenset(inside)
