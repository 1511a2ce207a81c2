"""Importing the CRM's master data in bulk: customer groups, territories and sales persons (the
trees, with their parents by name), sales partners and suppliers.

Each importer is a `config.record_import.RecordImport`: declared fields, a dry run in batches
and bulk writes. The trees are small, so a tree import reads the whole tree once and judges
the file's parents against it: a parent may be a record of the file, in any row.
"""

from dataclasses import dataclass, replace
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count

from accounts.models import Company, CreditTerms
from config.importing import Column, Outcome
from config.record_import import (
    Choice,
    Field,
    Flag,
    Lookup,
    Number,
    RecordImport,
    Row,
    Text,
    WholeNumber,
)
from pricing.models import PriceList

from .importing import RULE_WORDS, TYPE_WORDS
from .models import (
    Customer,
    CustomerGroup,
    SalesPartner,
    SalesPerson,
    SalesTeamMember,
    Supplier,
    Territory,
    missing_group_message,
)
from .services import free_codes, open_party_ledgers

PERCENT = {"places": 6, "minimum": 0, "maximum": 100}


def name_field(noun: str, *aliases: str, unique=True) -> Field:
    finds = "; unique, it finds the record to update." if unique else "."
    help_text = f"The {noun}'s name{finds}"
    column = Column("name", "Name", aliases, required=True, help=help_text)
    return Field(column, Text(140), required=True)


def commission_field() -> Field:
    column = Column(
        "commission_rate",
        "Commission rate",
        ("commission", "commission %", "commission rate %"),
        help="Percent of net sales, 0 to 100 (empty: 0).",
    )
    return Field(column, Number(**PERCENT, default=Decimal(0)))


# --- trees --------------------------------------------------------------------------------


def tree_fields(noun, plural, *aliases):
    return [
        name_field(noun, *aliases),
        Field(
            Column(
                "parent",
                "Parent",
                ("parent group", "parent name", f"parent {noun}"),
                help="The group it belongs to, by name: an existing one or one in this "
                "file. Empty: the top of the tree.",
            ),
            Text(140),
            attname="parent_id",
        ),
        Field(
            Column(
                "is_group",
                "Is group",
                ("group", "is a group"),
                help=f"yes: it holds other {plural}; no (or empty): a leaf.",
            ),
            Flag(),
        ),
    ]


@dataclass(frozen=True)
class NewParent:
    """A parent that is a new record of the same file: its id is known once it is written."""

    match: str


class TreeImport(RecordImport):
    """Customer groups, territories or sales persons, each with its parent by name. A blank
    parent is the tree's root; parents are inserted before their children."""

    members: tuple  # (model, attribute): the records a leaf holds, which a group cannot

    def load(self):
        self.nodes = {
            node["name"].upper(): node
            for node in self.model.objects.order_by().values("id", "name", "parent_id", "is_group")
        }
        self.key_of_id = {node["id"]: key for key, node in self.nodes.items()}
        self.root = next((key for key, node in self.nodes.items() if not node["parent_id"]), None)
        self.new_ids = {}

    # --- the rules -------------------------------------------------------------------------

    def check(self, rows, plan):
        self.rows_by_key = {row.match[0]: row for row in rows}
        self.parents = {key: self.key_of_id.get(n["parent_id"]) for key, n in self.nodes.items()}
        for row in rows:
            self._check_parent_named(row, plan)
        self.groups = {key: node["is_group"] for key, node in self.nodes.items()}
        self.groups |= {row.match[0]: self.final(row, "is_group") for row in rows}
        for row in self._valid(rows):
            self._check_leaf_parent(row, plan)
        self._check_cycles(self._valid(rows), plan)
        self.kept_children = self._children_not_moved_by_the_file()
        for row in self._valid(rows):
            self._check_group_change(row, plan)
        self._check_members(self._valid(rows), plan)
        for row in self._valid(rows):
            self._resolve(row)

    @staticmethod
    def _valid(rows):
        return [row for row in rows if row.outcome != Outcome.INVALID]

    def _gives_parent(self, row) -> bool:
        return "parent" in self and bool(row.values["parent_id"])

    def _check_parent_named(self, row, plan):
        """Note the row's parent (by key) in self.parents; refuse unknown parents."""
        key, name = row.match[0], row.values["parent_id"]
        if not self._gives_parent(row):
            moved_to_root = "parent" in self and row.current and row.current["parent_id"]
            if row.current is None or moved_to_root:
                self.parents[key] = self.root if key != self.root else None
            return
        parent = name.upper()
        if row.current and not row.current["parent_id"]:
            top = row.current["name"]
            message = f"{top} is the top of the tree; it cannot have a parent. Leave it empty."
            self.refuse(plan, row, "parent", message)
        elif parent == key:
            self.refuse(plan, row, "parent", f"{name} cannot be its own parent.")
        elif parent not in self.rows_by_key and parent not in self.nodes:
            self.refuse(
                plan,
                row,
                "parent",
                f"no {self.noun} has this name, in the database or in this file.",
            )
        self.parents[key] = parent

    def _check_leaf_parent(self, row, plan):
        parent = self.parents.get(row.match[0])
        if self._gives_parent(row) and parent and not self.groups.get(parent, True):
            self.refuse(
                plan,
                row,
                "parent",
                f"{row.values['parent_id']} is a leaf; choose a group as the parent (or make "
                "it a group with Is group: yes).",
            )

    def _check_cycles(self, rows, plan):
        refused = set()
        for row in rows:
            circle = self._circle_from(row.match[0])
            if not circle or row.match[0] in refused:
                continue
            in_file = [self.rows_by_key[key] for key in circle if key in self.rows_by_key]
            numbers = ", ".join(str(other.number) for other in in_file)
            names = " → ".join(self._name(key) for key in [*circle, circle[0]])
            for member in in_file:
                refused.add(member.match[0])
                self.refuse(
                    plan,
                    member,
                    "parent",
                    f"the parents of rows {numbers} go round in a circle ({names}); give one "
                    "of them a parent outside it.",
                )

    def _circle_from(self, key) -> list[str]:
        """The keys of the circle `key` is in (following parents), or [] when there is none."""
        path, node = [], key
        while node is not None and node not in path:
            path.append(node)
            node = self.parents.get(node)
        return path if node == key else []

    def _name(self, key) -> str:
        row = self.rows_by_key.get(key)
        return row.values["name"] if row else self.nodes[key]["name"]

    def _children_not_moved_by_the_file(self) -> dict[str, list[str]]:
        """Parent key -> the keys of its children whose parent the file does not name (those
        that it names are refused by the leaf-parent rule)."""
        named = {key for key, row in self.rows_by_key.items() if self._gives_parent(row)}
        children = {}
        for key, parent in self.parents.items():
            if parent is not None and key not in named:
                children.setdefault(parent, []).append(key)
        return children

    def _check_group_change(self, row, plan):
        key = row.match[0]
        if self.groups[key]:
            return
        if self.parents.get(key) is None:
            message = f"{row.values['name']} is the top of the tree; it must stay a group."
            self.refuse(plan, row, "is_group", message)
            return
        children = self.kept_children.get(key)
        if children:
            self.refuse(
                plan,
                row,
                "is_group",
                f"{row.values['name']} has child nodes ({self._name(children[0])}...); it "
                "must stay a group.",
            )

    def _check_members(self, rows, plan):
        becoming_groups = {
            row.current["id"]: row
            for row in rows
            if row.current and not row.current["is_group"] and self.groups[row.match[0]]
        }
        if not becoming_groups:
            return
        model, attname = self.members
        counts = (
            model.objects.filter(**{f"{attname}__in": becoming_groups})
            .order_by()
            .values(attname)
            .annotate(count=Count("pk"))
        )
        for found in counts:
            row = becoming_groups[found[attname]]
            self.refuse(
                plan,
                row,
                "is_group",
                f"{row.current['name']} has {found['count']} customer(s); move them before "
                "making it a group.",
            )

    def _resolve(self, row):
        """Turn the parent's name into its id, or a NewParent for one of the file's records."""
        if "parent" not in self and row.current:
            return
        parent = self.parents.get(row.match[0])
        if parent is None:
            row.values["parent_id"] = None
        elif parent in self.nodes:
            row.values["parent_id"] = self.nodes[parent]["id"]
        else:
            row.values["parent_id"] = NewParent(parent)

    # --- writing ---------------------------------------------------------------------------

    def insert_batches(self, rows):
        """The new nodes level by level, so that each parent is written before its children."""
        depth = {}

        def depth_of(row):
            if row.match[0] not in depth:
                parent = row.values["parent_id"]
                above = self.rows_by_key[parent.match] if isinstance(parent, NewParent) else None
                depth[row.match[0]] = depth_of(above) + 1 if above else 0
            return depth[row.match[0]]

        for level in sorted({depth_of(row) for row in rows}):
            yield from super().insert_batches([row for row in rows if depth[row.match[0]] == level])

    def before_insert(self, rows):
        self._write_parents(rows)

    def after_insert(self, rows):
        self.new_ids |= {row.match[0]: row.values["id"] for row in rows}

    def update(self, rows):
        self._write_parents(rows)
        super().update(rows)

    def _write_parents(self, rows):
        for row in rows:
            parent = row.values.get("parent_id")
            if isinstance(parent, NewParent):
                row.values["parent_id"] = self.new_ids[parent.match]


# --- the trees ----------------------------------------------------------------------------


class CustomerGroupImport(TreeImport):
    model = CustomerGroup
    members = (Customer, "customer_group_id")
    fields = [
        *tree_fields("customer group", "customer groups", "customer group", "group name"),
        Field(
            Column(
                "credit_limit",
                "Credit limit",
                ("limit",),
                help="Passed down to its customers; empty: as the parent group says.",
            ),
            Number(places=2, minimum=0),
        ),
        Field(
            Column(
                "credit_days_rule",
                "Credit days rule",
                ("payment terms rule", "payment terms"),
                help="fixed days (give Credit days) or end of next month; empty: as above.",
            ),
            Choice(CreditTerms.Rule.choices, words=RULE_WORDS),
        ),
        Field(
            Column(
                "credit_days",
                "Credit days",
                ("payment days", "payment terms days"),
                help="Days after the invoice date, 0 to 3650, for the fixed days rule.",
            ),
            WholeNumber(minimum=0, maximum=3650),
        ),
        Field(
            Column(
                "default_price_list",
                "Price list",
                ("default price list", "selling price list"),
                help="The price list its customers use, by name.",
            ),
            Lookup(PriceList),
            attname="default_price_list_id",
        ),
    ]

    def check_row(self, row, plan):
        rule, days = self.final(row, "credit_days_rule"), self.final(row, "credit_days")
        if rule == CreditTerms.Rule.FIXED_DAYS and days is None:
            self.refuse(plan, row, "credit_days", "give the number of days for fixed-days terms.")
        if rule != CreditTerms.Rule.FIXED_DAYS and days is not None:
            self.refuse(
                plan,
                row,
                "credit_days",
                "credit days apply only to the fixed days rule; set Credit days rule to fixed "
                "days or empty this cell.",
            )


class TerritoryImport(TreeImport):
    model = Territory
    members = (Customer, "territory_id")
    fields = tree_fields("territory", "territories", "territory", "territory name", "region")


class SalesPersonImport(TreeImport):
    model = SalesPerson
    members = (SalesTeamMember, "sales_person_id")
    fields = [
        *tree_fields("sales person", "sales persons", "sales person", "salesperson", "sales rep"),
        commission_field(),
        Field(
            Column(
                "user",
                "User",
                ("username", "login", "user name"),
                help="The sales person's login, by username (optional; one per sales person).",
            ),
            Lookup(get_user_model(), ("username",)),
            attname="user_id",
        ),
    ]

    def load(self):
        super().load()
        self.person_of_user = dict(
            SalesPerson.objects.filter(user__isnull=False).values_list("user_id", "name")
        )

    def check(self, rows, plan):
        if "user" in self:
            self._check_users(rows, plan)
        super().check(self._valid(rows), plan)

    def _check_users(self, rows, plan):
        """A user is one sales person: once in the file, and not another's already."""
        first_row = {}
        for row in rows:
            user = row.values["user_id"]
            if user is None:
                continue
            if user in first_row:
                earlier = first_row[user]
                message = f"the same user is on row {earlier}; a user can be one sales person only."
                self.refuse(plan, row, "user", message)
            first_row.setdefault(user, row.number)
            holder = self.person_of_user.get(user)
            if holder and holder.upper() != row.match[0]:
                self.refuse(plan, row, "user", f"this user is already sales person {holder}.")


# --- sales partners and suppliers ---------------------------------------------------------


class SalesPartnerImport(RecordImport):
    model = SalesPartner
    fields = [
        name_field("sales partner", "sales partner", "partner", "partner name"),
        Field(
            Column(
                "partner_type",
                "Partner type",
                ("type", "kind", "partner kind"),
                required=True,
                help="One of: " + ", ".join(SalesPartner.Kind.labels) + ".",
            ),
            Choice(
                SalesPartner.Kind.choices,
                words={"channel": "channel_partner", "implementer": "implementation_partner"},
            ),
            required=True,
        ),
        Field(
            Column(
                "territory",
                "Territory",
                ("sales territory", "region"),
                help="Where it sells, by name: any territory, a group covers those below it.",
            ),
            Lookup(Territory),
            attname="territory_id",
        ),
        commission_field(),
    ]


class SupplierImport(RecordImport):
    """Suppliers; each new one gets its payable ledger in its company, as saving one would."""

    model = Supplier
    key_fields = ("code",)
    fields = [
        Field(
            Column(
                "code",
                "Code",
                ("supplier id", "supplier code", "supplier no", "supplier number"),
                help="Finds the supplier to update. Empty: the next SUPP-00001... is assigned.",
            ),
            Text(40),
        ),
        name_field("supplier", "supplier name", "supplier", "company name", unique=False),
        Field(
            Column(
                "supplier_type",
                "Type",
                ("supplier type", "kind"),
                help="Company or Individual (empty: Company).",
            ),
            Choice(Supplier.Kind.choices, words=TYPE_WORDS, default=Supplier.Kind.COMPANY),
        ),
        Field(
            Column(
                "company",
                "Buying company",
                ("our company", "accounting company", "company abbreviation"),
                help="Our company that buys from the supplier: its name or abbreviation. "
                "Empty: the company chosen on the page.",
            ),
            Lookup(Company, ("name", "abbreviation")),
            attname="company_id",
        ),
        Field(Column("disabled", "Disabled", ("inactive",), help="yes or no."), Flag()),
    ]

    def __init__(self, *, defaults: Company, **kwargs):
        super().__init__(defaults=defaults, **kwargs)
        company = self.field_by_name["company"]
        self.field_by_name["company"] = replace(
            company, parser=_Defaulted(company.parser, defaults)
        )
        self.fields = [self.field_by_name[f.name] for f in self.fields]

    def load(self):
        self.companies = Company.objects.in_bulk()

    def check_row(self, row, plan):
        company = self.companies[self.final(row, "company_id")]
        if company.payable_group_id is None:
            self.refuse(plan, row, "company", missing_group_message(company, "payable group"))

    def before_insert(self, rows: list[Row]):
        taken = {row.values["code"].upper() for row in rows if row.values["code"]}
        codes = iter(
            free_codes(Supplier, sum(1 for r in rows if not r.values["code"]), also_taken=taken)
        )
        for row in rows:
            row.values["code"] = row.values["code"] or next(codes)
            row.key = row.values["code"]

    def after_insert(self, rows):
        suppliers = [
            Supplier(
                pk=row.values["id"],
                code=row.values["code"],
                name=row.values["name"],
                company_id=row.values["company_id"],
            )
            for row in rows
        ]
        open_party_ledgers(parties=suppliers)

    def after_update(self, records):
        open_party_ledgers(parties=records)


class _Defaulted(Lookup):
    """A Lookup whose empty cell gives the page's default record."""

    def __init__(self, lookup: Lookup, default):
        super().__init__(lookup.model, lookup.fields, queryset=lookup.queryset)
        self.default = default.pk
