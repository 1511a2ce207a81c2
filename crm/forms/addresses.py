"""The address form, the address list's filters and the form that links to a party."""

from django import forms

from crm import selectors
from crm.models import Address
from crm.services import ADDRESS_PURPOSES, display_phone

from . import BootstrapForm, BootstrapModelForm
from .contacts import PartyLinkForm


class AddressForm(BootstrapModelForm):
    class Meta:
        model = Address
        fields = [
            "title",
            "address_type",
            "line1",
            "line2",
            "city",
            "state",
            "postal_code",
            "country",
            "phone",
            "email",
        ]
        help_texts = {
            "title": "How people refer to it, e.g. “Head office”.",
            "postal_code": "Kept exactly as typed, leading zeros included.",
            "phone": "Numbers without + are read as numbers of the address's country.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["phone"] = display_phone(self.instance.phone)


class AddressFilterForm(BootstrapForm):
    """The list's search and filters; a value that is not offered is ignored."""

    q = forms.CharField(required=False, label="Search")
    country = forms.ChoiceField(required=False)
    address_type = forms.ChoiceField(
        required=False, label="Type", choices=[("", "Any type"), *Address.Kind.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Any country"), *selectors.address_countries()]
        self.fields["q"].widget.attrs["placeholder"] = "Title, line 1, city or postal code"

    def filters(self) -> dict:
        """Keyword arguments for crm.selectors.addresses_for_list."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "search": data.get("q", ""),
            "country": data.get("country", ""),
            "address_type": data.get("address_type", ""),
        }


class AddressLinkForm(PartyLinkForm):
    primary_billing = forms.BooleanField(
        required=False, label="Make it the primary billing address"
    )
    primary_shipping = forms.BooleanField(
        required=False, label="Make it the primary shipping address"
    )

    def primary_for(self) -> list[str]:
        """The purposes ("billing", "shipping") the address becomes primary for."""
        return [purpose for purpose in ADDRESS_PURPOSES if self.cleaned_data[f"primary_{purpose}"]]
