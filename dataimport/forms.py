"""The import page's forms: the upload with its options, the defaults for what the file leaves
out, and the confirmation that imports a previewed file."""

from django import forms

from accounts.models import Company
from config.forms import BootstrapForm
from config.importing import Mode
from crm.forms import LeafChoiceField
from crm.models import Customer, CustomerGroup, Territory

from .reading_text import ENCODING_NAMES, SEPARATORS
from .targets import TARGETS

ENCODINGS = [("", "Detect it")] + [
    (code, name)
    for code, name in {
        "utf-8": "UTF-8",
        "utf-16": "UTF-16",
        "cp1252": "Windows-1252 (Western European)",
        "latin-1": ENCODING_NAMES["latin-1"],
        "cp1250": "Windows-1250 (Central European)",
        "cp1251": "Windows-1251 (Cyrillic)",
    }.items()
]
DELIMITERS = [("", "Detect it")] + [
    (char, name.capitalize() + (f" ({char})" if char != "\t" else ""))
    for char, name in SEPARATORS.items()
]


class UploadForm(BootstrapForm):
    target = forms.ChoiceField(label="What to import", choices=(), widget=forms.HiddenInput)
    file = forms.FileField(
        allow_empty_file=True,  # read_table says what to do about an empty file
        help_text="CSV, TSV or Excel workbook (.xlsx) with a header row. Download a template "
        "below to see the columns.",
    )
    mode = forms.ChoiceField(
        choices=[(mode.value, mode.label) for mode in Mode],
        initial=Mode.INSERT.value,
        widget=forms.RadioSelect,
    )
    encoding = forms.ChoiceField(
        choices=ENCODINGS,
        required=False,
        help_text="Leave on detect unless letters look wrong in the preview.",
    )
    delimiter = forms.ChoiceField(label="Separator", choices=DELIMITERS, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [
            (target.name, target.label)
            for target in TARGETS.values()
            if user.has_perm(target.permission)
        ]

    def clean_target(self):
        return TARGETS[self.cleaned_data["target"]]

    def options(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("encoding", "delimiter")}


class CustomerDefaultsForm(BootstrapForm):
    """What a customer gets where the file has no column or an empty cell."""

    company = forms.ModelChoiceField(Company.objects.all(), label="Selling company")
    customer_group = LeafChoiceField(CustomerGroup, label="Customer group")
    territory = LeafChoiceField(Territory)
    customer_type = forms.ChoiceField(
        label="Customer type", choices=Customer.Kind.choices, initial=Customer.Kind.COMPANY
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            for name in ("company", "customer_group", "territory"):
                choices = list(self.fields[name].queryset[:2])
                if len(choices) == 1:
                    self.initial[name] = choices[0].pk

    def stored(self) -> dict:
        """The choices as the ImportLog keeps them: ids, with names to show later."""
        data = self.cleaned_data
        stored = {
            name: {"id": data[name].pk, "name": str(data[name])}
            for name in ("company", "customer_group", "territory")
        }
        return {**stored, "customer_type": data["customer_type"]}


class NoDefaultsForm(BootstrapForm):
    """For targets whose files say everything themselves."""

    def stored(self) -> dict:
        return {}


class ColumnsForm(BootstrapForm):
    """What to do with each header the page did not recognise: import it as one of the
    target's columns, or leave it out. Nothing is left out unless the user says so."""

    IGNORE = "-"

    def __init__(self, *args, headers: list[str], free_columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", "Choose…"), (self.IGNORE, "Leave this column out")]
        choices += [(column, f"Import as {column}") for column in free_columns]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header,
                choices=choices,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def clean(self):
        data = super().clean()
        taken = {}
        for index, header in enumerate(self.headers):
            column = data.get(f"column_{index}")
            if column and column != self.IGNORE:
                if column in taken:
                    self.add_error(
                        f"column_{index}", f"{taken[column]} is already imported as {column}."
                    )
                taken.setdefault(column, header)
        return data

    def chosen(self) -> dict[str, str]:
        """header -> template header, or "" for a column left out."""
        return {
            header: "" if column == self.IGNORE else column
            for header, column in (
                (header, self.cleaned_data[f"column_{index}"])
                for index, header in enumerate(self.headers)
            )
        }


class SupplierDefaultsForm(BootstrapForm):
    """The buying company of suppliers whose row names none."""

    company = forms.ModelChoiceField(Company.objects.all(), label="Buying company")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            choices = list(self.fields["company"].queryset[:2])
            if len(choices) == 1:
                self.initial["company"] = choices[0].pk

    def stored(self) -> dict:
        company = self.cleaned_data["company"]
        return {"company": {"id": company.pk, "name": str(company)}}
