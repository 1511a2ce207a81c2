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
    target = forms.ChoiceField(label="What to import", choices=())
    file = forms.FileField(
        allow_empty_file=True,  # read_table says what to do about an empty file
        help_text="CSV, TSV or Excel workbook (.xlsx) with a header row. Download a template "
        "below to see the columns.",
    )
    mode = forms.ChoiceField(
        choices=[(mode.value, mode.label) for mode in Mode],
        initial=Mode.INSERT.value,
        widget=forms.RadioSelect,
        help_text="Existing records are found by their code.",
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


class ImportForm(BootstrapForm):
    """The preview's import button; with unknown columns it needs the tick."""

    ignore_unknown = forms.BooleanField(label="Ignore these columns", required=False)

    def __init__(self, *args, log, **kwargs):
        super().__init__(*args, **kwargs)
        if not log.unknown_columns:
            del self.fields["ignore_unknown"]
