"""Importing sales targets: a year's amount per territory or sales person in a company."""

from accounts.models import Company
from config.importing import Column
from config.record_import import Field, Lookup, Number, RecordImport, WholeNumber
from crm.models import SalesPerson, Territory

from .models import FIRST_YEAR, LAST_YEAR, MonthlyDistribution, SalesTarget


class SalesTargetImport(RecordImport):
    """One row per target; the key is the company, the year and the territory or sales
    person, so importing next year's file adds targets and this year's changes them."""

    model = SalesTarget
    key_fields = ("company", "fiscal_year", "territory", "sales_person")
    fields = [
        Field(
            Column(
                "company",
                "Company",
                ("our company", "selling company", "company abbreviation"),
                required=True,
                help="Our company the target is for: its name or abbreviation.",
            ),
            Lookup(Company, ("name", "abbreviation")),
            attname="company_id",
            required=True,
        ),
        Field(
            Column(
                "fiscal_year",
                "Year",
                ("fiscal year", "target year"),
                required=True,
                help=f"The calendar year, {FIRST_YEAR} to {LAST_YEAR}.",
            ),
            WholeNumber(minimum=FIRST_YEAR, maximum=LAST_YEAR),
            required=True,
        ),
        Field(
            Column(
                "territory",
                "Territory",
                ("sales territory", "region"),
                help="The territory's name (a group counts the sales of those below it). "
                "Give a territory or a sales person, not both.",
            ),
            Lookup(Territory),
            attname="territory_id",
        ),
        Field(
            Column(
                "sales_person",
                "Sales person",
                ("salesperson", "sales rep", "representative"),
                help="The sales person's name. Give a territory or a sales person, not both.",
            ),
            Lookup(SalesPerson),
            attname="sales_person_id",
        ),
        Field(
            Column(
                "amount",
                "Amount",
                ("target", "target amount", "sales target"),
                required=True,
                help="The year's net sales target, 0 or more, in the company's currency.",
            ),
            Number(minimum=0),
            required=True,
        ),
        Field(
            Column(
                "distribution",
                "Monthly distribution",
                ("distribution", "monthly split"),
                help="The name of a monthly distribution (empty: twelve equal months).",
            ),
            Lookup(MonthlyDistribution),
            attname="distribution_id",
        ),
    ]

    def load(self):
        self.names = {
            "company_id": dict(Company.objects.values_list("pk", "abbreviation")),
            "territory_id": dict(Territory.objects.values_list("pk", "name")),
            "sales_person_id": dict(SalesPerson.objects.values_list("pk", "name")),
        }

    def check_row(self, row, plan):
        owners = [row.values["territory_id"], row.values["sales_person_id"]]
        if owners.count(None) != 1:
            message = (
                "give a territory or a sales person."
                if None in owners
                else "give a territory or a sales person, not both: a target has one owner."
            )
            self.refuse(plan, row, "territory" if "territory" in self else "sales_person", message)

    def key_text(self, values) -> str:
        """ "DT › 2026 › Germany": the company's abbreviation, the year and the owner."""
        owner = self.names["territory_id"].get(values["territory_id"]) or self.names[
            "sales_person_id"
        ].get(values["sales_person_id"], "")
        company = self.names["company_id"].get(values["company_id"], "")
        return f"{company} › {values['fiscal_year']} › {owner}"
