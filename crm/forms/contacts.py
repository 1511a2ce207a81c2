"""The contact form with its rows of emails and phones, and the form that links to a party."""

from django import forms
from django.core.exceptions import ValidationError

from crm.models import Contact, Customer, Supplier
from crm.services import normalize_phone

from . import BootstrapForm, BootstrapModelForm


class ContactForm(BootstrapModelForm):
    class Meta:
        model = Contact
        fields = [
            "salutation",
            "first_name",
            "middle_name",
            "last_name",
            "designation",
            "department",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class EmailRowForm(BootstrapForm):
    email = forms.EmailField(required=False, max_length=254, label="Email")
    is_primary = forms.BooleanField(required=False, label="Primary")


class PhoneRowForm(BootstrapForm):
    number = forms.CharField(required=False, max_length=40, label="Phone")
    is_primary = forms.BooleanField(required=False, label="Primary")


class PrimaryRowsFormSet(forms.BaseFormSet):
    """Rows of emails or phones, each with a primary mark; empty rows are left out.

    At most one row may be marked primary (the first row is, when none is), and no value may
    appear twice once normalised.
    """

    value_field = ""
    noun = ""

    def normalized(self, value):
        return value

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.filled_forms():
            value = self.normalized(form.cleaned_data[self.value_field])
            form.cleaned_data[self.value_field] = value
            if value.casefold() in seen:
                form.add_error(self.value_field, f"{value} is listed twice.")
            seen.add(value.casefold())
        if sum(form.cleaned_data["is_primary"] for form in self.filled_forms()) > 1:
            raise ValidationError(f"Mark only one {self.noun} as primary.")

    def filled_forms(self):
        return [form for form in self.forms if form.cleaned_data.get(self.value_field)]

    @property
    def rows(self) -> list[tuple[str, bool]]:
        """(value, is_primary) of every filled row, for crm.services.save_contact."""
        return [
            (form.cleaned_data[self.value_field], form.cleaned_data["is_primary"])
            for form in self.filled_forms()
        ]


class BaseEmailFormSet(PrimaryRowsFormSet):
    value_field = "email"
    noun = "email"


class BasePhoneFormSet(PrimaryRowsFormSet):
    """Phones are compared as they will be stored: normalised, with `country` as the hint."""

    value_field = "number"
    noun = "phone number"

    def __init__(self, *args, country=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.country = country

    def normalized(self, value):
        return normalize_phone(value, country=self.country)


ROW_FORMSET_OPTIONS = {"extra": 2, "max_num": 20, "validate_max": True}
EmailFormSet = forms.formset_factory(EmailRowForm, formset=BaseEmailFormSet, **ROW_FORMSET_OPTIONS)
PhoneFormSet = forms.formset_factory(PhoneRowForm, formset=BasePhoneFormSet, **ROW_FORMSET_OPTIONS)


def row_initial(rows, field, *, shown=str) -> list[dict]:
    """The formset's initial rows from a contact's emails or phones, each value as `shown`."""
    return [{field: shown(getattr(row, field)), "is_primary": row.is_primary} for row in rows]


PARTY_MODELS = {"customer": Customer, "supplier": Supplier}


class PartyLinkForm(BootstrapForm):
    """Names a customer or supplier by its code; `cleaned_data["party"]` is the one found."""

    party_type = forms.ChoiceField(
        label="Link to", choices=[(kind, kind.capitalize()) for kind in PARTY_MODELS]
    )
    code = forms.CharField(max_length=40, help_text="For example CUST-00001 or SUPP-00001.")

    def clean(self):
        data = super().clean()
        kind, code = data.get("party_type"), data.get("code")
        if kind and code:
            party = PARTY_MODELS[kind].objects.filter(code__iexact=code).first()
            if party is None:
                self.add_error("code", f"There is no {kind} with the code {code}.")
            else:
                data["party"] = party
        return data


class ContactLinkForm(PartyLinkForm):
    primary = forms.BooleanField(required=False, label="Make it the primary contact")
