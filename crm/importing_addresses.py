"""Importing addresses in bulk, each linked to a customer or supplier by its code.

An existing address of the party is found by its title when the row has one, else by its
first line, postal code and city (without case, runs of spaces as one). A row may make the
address the party's primary billing or shipping address. See `LinkedImport` for the rest.
"""

from django.core.exceptions import ValidationError

from config.importing import Column, Mode, blank

from .importing_contacts import (
    LinkedImport,
    Record,
    casefolded,
    flag_column,
    link_party_key,
    links_of_parties,
    party_columns,
)
from .models import Address, AddressLink
from .services import normalize_phone

ADDRESS_FIELDS = [
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
TEXT_LIMITS = {
    "title": 140,
    "line1": 255,
    "line2": 255,
    "city": 100,
    "state": 100,
    "postal_code": 20,
}
# A new address needs these; an empty cell leaves an existing address's value as it is.
NEEDED = ("line1", "city", "country")
TYPE_WORDS = {
    **{kind.value: kind.value for kind in Address.Kind},
    **{kind.label.lower(): kind.value for kind in Address.Kind},
    "bill to": Address.Kind.BILLING.value,
    "invoice": Address.Kind.BILLING.value,
    "invoice address": Address.Kind.BILLING.value,
    "billing address": Address.Kind.BILLING.value,
    "ship to": Address.Kind.SHIPPING.value,
    "delivery": Address.Kind.SHIPPING.value,
    "delivery address": Address.Kind.SHIPPING.value,
    "shipping address": Address.Kind.SHIPPING.value,
    "other address": Address.Kind.OTHER.value,
    "head office": Address.Kind.OFFICE.value,
    "home": Address.Kind.PERSONAL.value,
    "factory": Address.Kind.PLANT.value,
    "store": Address.Kind.SHOP.value,
}

ADDRESS_COLUMNS = [
    *party_columns("address"),
    Column(
        "title",
        "Title",
        ("address title", "address name"),
        help='A name for the address ("Head office"); it finds the address to update.',
    ),
    Column(
        "address_type",
        "Type",
        ("address type", "kind"),
        help=f"One of: {', '.join(kind.label for kind in Address.Kind)}. Empty: Billing.",
    ),
    Column(
        "line1",
        "Address line 1",
        ("address", "street", "address 1", "street 1", "line 1"),
        required=True,
    ),
    Column("line2", "Address line 2", ("address 2", "street 2", "line 2")),
    Column("city", "City", ("town",), required=True),
    Column("state", "State", ("county", "province", "state/county", "region")),
    Column(
        "postal_code", "Postal code", ("zip", "zip code", "postcode", "post code", "plz", "pincode")
    ),
    Column(
        "country",
        "Country",
        ("country code", "country name"),
        required=True,
        help="Its name in English or its ISO code (DE, DEU).",
    ),
    Column("phone", "Phone", ("telephone", "tel", "phone number")),
    Column("email", "Email", ("e-mail", "email address", "mail")),
    flag_column(
        "is_primary_billing",
        "Primary billing",
        ("billing", "default billing", "primary billing address", "is primary address"),
        "primary billing address",
    ),
    flag_column(
        "is_primary_shipping",
        "Primary shipping",
        ("shipping", "default shipping", "primary shipping address", "is shipping address"),
        "primary shipping address",
    ),
]


class AddressImport(LinkedImport):
    """One import of addresses, each linked to a customer or supplier."""

    noun, nouns = "address", "addresses"
    model = Address
    link_model = AddressLink
    record_fields = ADDRESS_FIELDS
    flags = {
        "is_primary_billing": "primary billing address",
        "is_primary_shipping": "primary shipping address",
    }
    columns = ADDRESS_COLUMNS
    column_by_field = {column.field: column for column in ADDRESS_COLUMNS}

    def _refuse_missing_columns(self):
        super()._refuse_missing_columns()
        if self.mode == Mode.UPDATE and not {"title", "line1"} & self.headers.keys():
            raise ValidationError(
                "Updating needs a Title or an Address line 1 column to find each address."
            )

    def _values(self, cell, problem):
        values = {
            name: self._text(cell, name, limit, problem)
            for name, limit in TEXT_LIMITS.items()
            if name in self.headers
        }
        if "address_type" in self.headers:
            values["address_type"] = self._choice(cell, "address_type", TYPE_WORDS, problem)
        if "country" in self.headers:
            values["country"] = self._country(cell, problem)
        if "email" in self.headers:
            values["email"] = self._email(cell, "email", problem)
        if "phone" in self.headers:
            phone = normalize_phone(blank(cell["phone"]), country=values.get("country"))
            if len(phone) > 40:
                problem("phone", "longer than 40 characters.")
            values["phone"] = phone
        for name in (*NEEDED, "address_type"):
            if not values.get(name, True):
                del values[name]
        return values, {}

    def _matches(self, values, extra, problem) -> tuple[tuple, ...]:
        if values.get("title"):
            return (("title", casefolded(values["title"])),)
        if not values.get("line1"):
            column = "line1" if "line1" in self.headers else "title"
            problem(column, "give a title or the first line to tell which address this is.")
        return (self._place(values),)

    @staticmethod
    def _place(values) -> tuple:
        parts = (values.get(name, "") for name in ("line1", "postal_code", "city"))
        return ("place", *(casefolded(part) for part in parts))

    def _label(self, values, extra) -> str:
        if values.get("title"):
            return values["title"]
        return ", ".join(values[name] for name in ("line1", "city") if values.get(name))

    def _key_column(self, row) -> str:
        return "title" if row.match[0] == "title" else "line1"

    def _tell_apart(self) -> str:
        return "title"

    def _check_new(self, row, problem):
        for name in NEEDED:
            if not row.values.get(name):
                label = self.column_by_field[name].header
                problem(f"a new address needs its {label.lower()}.", name)

    def _existing(self, party_keys) -> list[Record]:
        """The addresses of these parties with their links: one query."""
        if not party_keys:
            return []
        links = AddressLink.objects.filter(links_of_parties(party_keys)).values_list(
            "pk",
            "address_id",
            "customer_id",
            "supplier_id",
            *self.flags,
            *(f"address__{name}" for name in ADDRESS_FIELDS),
        )
        records = []
        for pk, address_id, customer_id, supplier_id, billing, shipping, *fields in links:
            values = dict(zip(ADDRESS_FIELDS, fields, strict=True))
            matches = [self._place(values)]
            if values["title"]:
                matches.append(("title", casefolded(values["title"])))
            flags = {"is_primary_billing": billing, "is_primary_shipping": shipping}
            records.append(
                Record(
                    address_id,
                    pk,
                    link_party_key(customer_id, supplier_id),
                    values,
                    matches,
                    {flag for flag, value in flags.items() if value},
                )
            )
        return records

    def _new_values(self, row) -> dict:
        defaults = {"address_type": Address.Kind.BILLING.value}
        return {name: row.values.get(name, defaults.get(name, "")) for name in ADDRESS_FIELDS}
