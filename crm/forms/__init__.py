from django import forms

from config.forms import BootstrapForm, BootstrapFormMixin, BootstrapModelForm
from crm.models import CustomerGroup, SalesPerson, Territory

__all__ = [
    "BootstrapForm",
    "BootstrapFormMixin",
    "BootstrapModelForm",
    "LeafChoiceField",
    "leaf_field_for",
]

PATH_SEPARATOR = " › "


class LeafChoiceField(forms.ModelChoiceField):
    """Offers only the leaves of a tree, each labelled with its path from the root."""

    def __init__(self, model, **kwargs):
        queryset = model.objects.leaves().with_tree_fields().tree_fields(tree_names="name")
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj):
        return PATH_SEPARATOR.join(getattr(obj, "tree_names", None) or [obj.name])


def leaf_field_for(db_field, **kwargs):
    """The leaf picker for a customer group, territory or sales person key, else None."""
    model = db_field.related_model
    if model in (CustomerGroup, Territory, SalesPerson):
        return LeafChoiceField(
            model, label=db_field.verbose_name.capitalize(), required=not db_field.blank, **kwargs
        )
    return None
