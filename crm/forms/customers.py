"""The customer form with its first contact and address, and the sales team rows."""

from decimal import Decimal
from functools import cached_property

from django import forms

from accounts.models import Company
from crm.models import Address, Contact, Customer, SalesPerson
from crm.services import FirstContact
from pricing.models import PriceList

from . import BootstrapForm, BootstrapModelForm, LeafChoiceField, leaf_field_for
from .partners import PercentField


def leaf_or_default_field(db_field, **kwargs):
    return leaf_field_for(db_field) or credit_or_default_field(db_field, **kwargs)


def credit_or_default_field(db_field, **kwargs):
    """A customer's or customer group's default price list is one to sell from."""
    if db_field.name == "default_price_list":
        kwargs["queryset"] = PriceList.objects.selling()
    return db_field.formfield(**kwargs)


class PartyForm(BootstrapModelForm):
    """A customer or supplier: the code may be left blank on create and is required afterwards
    (it is the identity); when there is only one company it is preselected."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].required = True
            self.fields["code"].help_text = ""
        elif not self.is_bound:
            companies = list(Company.objects.all()[:2])
            if len(companies) == 1:
                self.initial["company"] = companies[0].pk


SECTIONS_TEMPLATE = "crm/customer_forms/form_sections.html"
# What a customer group passes down and a customer may override (crm.models.CustomerDefaults)
CREDIT_FIELDS = ["default_price_list", "credit_limit", "credit_days_rule", "credit_days"]


class CustomerForm(PartyForm):
    template_name = SECTIONS_TEMPLATE
    sections = [
        ("Customer", ["code", "name", "customer_type", "company"]),
        ("Classification", ["customer_group", "territory"]),
        ("Sales", ["default_sales_partner", "default_commission_rate"]),
        ("Credit and pricing", CREDIT_FIELDS),
        ("Status", ["disabled", "frozen"]),
        ("More", ["tax_id", "website", "notes"]),
    ]

    class Meta:
        model = Customer
        fields = [
            "code",
            "name",
            "customer_type",
            "company",
            "customer_group",
            "territory",
            "default_sales_partner",
            "default_commission_rate",
            *CREDIT_FIELDS,
            "disabled",
            "frozen",
            "tax_id",
            "website",
            "notes",
        ]
        formfield_callback = leaf_or_default_field
        field_classes = {"default_commission_rate": PercentField}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def fieldsets(self):
        return [(title, [self[name] for name in names]) for title, names in self.sections]


class OptionalSectionMixin:
    """A section of the new-customer page that is skipped when left empty; once started, its
    required fields are required."""

    template_name = SECTIONS_TEMPLATE

    def __init__(self, *args, **kwargs):
        kwargs.update(empty_permitted=True, use_required_attribute=False)
        super().__init__(*args, **kwargs)

    def fieldsets(self):
        return [("", self.visible_fields())]


class FirstContactForm(OptionalSectionMixin, BootstrapModelForm):
    prefix = "contact"
    email = forms.EmailField(required=False)
    phone = forms.CharField(
        max_length=40, required=False, help_text="Without +, the address country is assumed."
    )

    class Meta:
        model = Contact
        fields = ["first_name", "last_name"]

    def first_contact(self) -> FirstContact | None:
        if not self.has_changed():
            return None
        data = self.cleaned_data
        return FirstContact(person=self.instance, email=data["email"], phone=data["phone"])


class FirstAddressForm(OptionalSectionMixin, BootstrapModelForm):
    prefix = "address"

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
        ]

    def has_changed(self):
        # The type always has a value, so choosing one alone does not start an address.
        return bool(set(self.changed_data) - {"address_type"})

    def new_address(self) -> Address | None:
        return self.instance if self.has_changed() else None


class NewCustomerForms:
    """The customer form with the optional first contact and first address, checked together."""

    def __init__(self, data=None):
        self.customer = CustomerForm(data)
        self.contact = FirstContactForm(data)
        self.address = FirstAddressForm(data)
        self.parts = {"customer": self.customer, "contact": self.contact, "address": self.address}

    def is_valid(self):
        checked = [form.is_valid() for form in self.parts.values()]  # every part, every error
        return all(checked)

    def to_create(self) -> dict:
        """The arguments for crm.services.create_customer."""
        return {
            "customer": self.customer.instance,
            "contact": self.contact.first_contact(),
            "address": self.address.new_address(),
        }

    def add_part_errors(self, error):
        for part, part_error in error.errors_by_part.items():
            self.parts[part].add_validation_error(part_error)


# --- sales team ---------------------------------------------------------------------------


class SalesTeamRowForm(BootstrapForm):
    """One sales person and their share; a row left empty is skipped (that removes a person)."""

    sales_person = LeafChoiceField(SalesPerson, required=False)
    contribution = forms.DecimalField(
        label="Contribution (%)",
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=100,
        widget=forms.NumberInput(attrs={"class": "text-end"}),
    )

    def __init__(self, *args, sales_person_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sales_person_choices is not None:
            self.fields["sales_person"].choices = sales_person_choices

    def clean(self):
        cleaned = super().clean()
        person, share = cleaned.get("sales_person"), cleaned.get("contribution")
        if person and share is None and not self.has_error("contribution"):
            self.add_error("contribution", f"Enter {person}'s contribution.")
        if share is not None and not person:
            self.add_error("sales_person", "Choose the sales person for this contribution.")
        return cleaned

    def member(self):
        person = self.cleaned_data.get("sales_person")
        return (person, self.cleaned_data["contribution"]) if person else None


class BaseSalesTeamFormSet(forms.BaseFormSet):
    @cached_property
    def sales_person_choices(self):
        # Read once for all rows rather than once per row.
        return list(self.form.base_fields["sales_person"].choices)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "sales_person_choices": self.sales_person_choices}

    def members(self) -> list:
        """(sales person, contribution) of every filled row, for crm.services.set_sales_team."""
        return [member for form in self.forms if (member := form.member())]


SalesTeamFormSet = forms.formset_factory(SalesTeamRowForm, formset=BaseSalesTeamFormSet, extra=3)


def sales_team_formset(customer, data=None):
    initial = [
        {"sales_person": member.sales_person_id, "contribution": member.contribution}
        for member in customer.sales_team.all()
    ]
    return SalesTeamFormSet(data, initial=initial, prefix="team")
