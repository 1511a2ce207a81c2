"""What the import page can import. Each target names its columns, the permission it needs,
the defaults the page asks for and how to build its importer; adding a target is adding an
entry to TARGETS."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Company
from config.importing import Column, Mode
from crm import importing as customer_importing
from crm.models import Customer, CustomerGroup, Territory


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    permission: str
    columns: list[Column]
    # (mode, stored defaults, {field: header}, user) -> an importer with plan() and write()
    importer: Callable
    # the page's fields for what the file leaves out: a form class, and its stored form
    defaults_form: str
    example: dict[str, str]
    # {field: header} -> [(header, why it is not imported)]
    unused: Callable[[dict[str, str]], list[tuple[str, str]]] = lambda mapping: []
    # stored defaults -> readable (label, value) pairs
    describe_defaults: Callable[[dict], list[tuple[str, str]]] = lambda defaults: []
    # keys of new records (Plan.new_keys) -> [(key, url)]
    links: Callable[[list[str]], list[tuple[str, str]]] = lambda codes: []
    # the fields that find an existing record, so a file must have them to update
    key_fields: tuple[str, ...] = ("code",)
    # how an existing record is found, said on the page (default: by the key columns)
    finds_by: str = ""
    # the django-import-export resource behind "Export existing" (a dotted path), if any
    resource: str = ""
    # template header -> its aliases, as match_headers takes them (keyed by the header, which
    # reads well in its messages and cannot clash with an alias the way a field name can)
    aliases: dict[str, list[str]] = field(init=False)

    def __post_init__(self):
        aliases = {column.header: list(column.aliases) for column in self.columns}
        object.__setattr__(self, "aliases", aliases)

    def fields_of(self, mapping: dict[str, str]) -> dict[str, str]:
        """match_headers' {template header: file header} as {field: file header}."""
        field_of = {column.header: column.field for column in self.columns}
        return {field_of[header]: found for header, found in mapping.items()}

    def required(self, mode: Mode) -> list[str]:
        """The template headers of the columns the file must have in this mode."""
        fields = [c.field for c in self.columns if c.required] if mode != Mode.UPDATE else []
        if mode != Mode.INSERT:
            fields = [*self.key_fields, *(name for name in fields if name not in self.key_fields)]
        return [self.column(name).header for name in fields]

    def key_help(self) -> str:
        """The upload form's word on how updates find their records."""
        headers = [self.column(name).header.lower() for name in self.key_fields]
        keys = " and ".join([", ".join(headers[:-1]), headers[-1]] if len(headers) > 2 else headers)
        return f"Existing {self.label.lower()} are found by {self.finds_by or f'their {keys}'}."

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.field == name)

    def column_headed(self, header: str) -> Column:
        return next(column for column in self.columns if column.header == header)


# --- customers ---------------------------------------------------------------------------

ADDRESS_FIELDS = ["address_line2", "city", "state", "postal_code"]


def customer_defaults(stored: dict) -> customer_importing.Defaults:
    """The Defaults the page stored, read back; a record deleted since is said plainly."""
    found = {}
    for name, model in (
        ("company", Company),
        ("customer_group", CustomerGroup),
        ("territory", Territory),
    ):
        found[name] = model.objects.filter(pk=stored[name]["id"]).first()
        if found[name] is None:
            raise ValidationError(
                f"The default {model._meta.verbose_name} {stored[name]['name']} no longer "
                "exists; upload the file again and choose another."
            )
    return customer_importing.Defaults(**found, customer_type=stored["customer_type"])


def customer_importer(*, mode, defaults, headers, user):
    return customer_importing.CustomerImport(
        mode=mode, defaults=customer_defaults(defaults), headers=headers, user=user
    )


def unused_customer_columns(mapping: dict[str, str]) -> list[tuple[str, str]]:
    """Matched columns the importer leaves alone: the address parts without a first line."""
    if "address_line1" in mapping:
        return []
    reason = "not imported without an Address line 1 column"
    unused = [(mapping[name], reason) for name in ADDRESS_FIELDS if name in mapping]
    if "country" in mapping:
        why = "only read for phone numbers" if "phone" in mapping else "not imported"
        unused.append((mapping["country"], f"{why} without an Address line 1 column"))
    return unused


def describe_customer_defaults(stored: dict) -> list[tuple[str, str]]:
    if not stored:
        return []
    kind = Customer.Kind(stored["customer_type"]).label
    return [
        ("Selling company", stored["company"]["name"]),
        ("Customer group", stored["customer_group"]["name"]),
        ("Territory", stored["territory"]["name"]),
        ("Type", kind),
    ]


def customer_links(codes: list[str]) -> list[tuple[str, str]]:
    ids = dict(Customer.objects.filter(code__in=codes).values_list("code", "pk"))
    return [
        (code, reverse("crm:customer_detail", kwargs={"pk": ids[code]}))
        for code in codes
        if code in ids
    ]


CUSTOMERS = Target(
    name="customers",
    label="Customers",
    permission="crm.add_customer",
    columns=customer_importing.COLUMNS,
    importer=customer_importer,
    defaults_form="dataimport.forms.CustomerDefaultsForm",
    example={
        "code": "CUST-EXAMPLE",
        "name": "Rasmussen Group",
        "customer_type": "Company",
        "tax_id": "DE123456789",
        "website": "https://www.example.com",
        "credit_limit": "5000.00",
        "credit_days_rule": "fixed days",
        "credit_days": "30",
        "disabled": "no",
        "contact_first_name": "Sheryl",
        "contact_last_name": "Baxter",
        "email": "sheryl.baxter@example.com",
        "phone": "+49 30 901820",
        "address_line1": "Unter den Linden 1",
        "city": "Berlin",
        "postal_code": "10117",
        "country": "Germany",
    },
    unused=unused_customer_columns,
    describe_defaults=describe_customer_defaults,
    links=customer_links,
)


def _all_targets() -> list[Target]:
    # they are built from Target, defined above
    from .targets_contacts import CONTACT_TARGETS
    from .targets_masters import MASTER_TARGETS

    return [CUSTOMERS, *CONTACT_TARGETS, *MASTER_TARGETS]


TARGETS = {target.name: target for target in _all_targets()}
