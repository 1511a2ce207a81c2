"""A small fixed sales book whose every report figure is worked out by hand in the tests.

Demo Trading, March 2026 (the previous period of the same length: 29 January to 28 February):

| inv. | customer (territory, group)       | lines             | total | cost | paid           |
|------|-----------------------------------|-------------------|-------|------|----------------|
| A1   | Alpha (Berlin, Commercial)        | 10 widget @ 10    | 100   | 60   | 100 on 15 Mar  |
| A2   | Alpha                             | 1 gadget @ 40     | 40    | 30   | 20 on 25 Mar   |
| A3   | Alpha, a draft                    | 1 widget @ 500    | -     |      |                |
| A4   | Alpha, cancelled                  | 1 widget @ 300    | -     |      |                |
| B1   | Bravo (Munich, Government)        | 3 service @ 100   | 300   | 0    |                |
| C0   | Charlie (France, Commercial) 10 Feb | 1 widget @ 50   | 50    | 6    | (earlier period) |
| C1   | Charlie                           | 5 widget @ 8      | 40    | 30   | 40 on 14 Apr   |
| D1   | Delta (Rest of the World) 31 Mar  | 1 gadget @ 25     | 25    | 30   |                |
| D2   | Delta, 1 Apr (after the period)   | 1 service @ 1000  | 1000  | 0    |                |
| E1   | Echo of Other Works (Berlin)      | 1 widget @ 999    | 999   | 6    |                |

Territories: All Territories > Europe > Germany > Berlin and Munich; Europe > France.
Sales team: Alpha's is Alice 60 % and Bob 40 %, Bravo's is Bob alone; both under North.
Sales partners: Pioneer at 10 % on A1, A2 (and the draft and the cancelled one); Quill at
0.335 % on B1 (1.005, rounded half-up to 1.01).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from accounts.models import Account
from analytics.reports import ReportFilters
from crm.models import CustomerGroup, SalesPartner, SalesPerson, Territory
from crm.services import set_sales_team
from invoicing.models import SalesInvoice
from invoicing.services import (
    Allocation,
    cancel_invoice,
    create_draft_invoice,
    receive_payment,
    submit_invoice,
)
from pricing.models import Item
from tests.factories import CustomerFactory

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


@dataclass
class Book:
    company: object
    other_company: object
    territories: dict
    groups: dict
    people: dict
    customers: dict
    invoices: dict
    partners: dict

    def filters(self, **changes) -> ReportFilters:
        values = {"company": self.company, "date_from": MARCH[0], "date_to": MARCH[1]}
        return ReportFilters(**(values | changes))


def node(model, name, parent, *, is_group=False):
    return model.objects.create(name=name, parent=parent, is_group=is_group)


@pytest.fixture
def book(company, other_company, django_capture_on_commit_callbacks) -> Book:
    """The sales book, with the report summaries refreshed as each commit would."""
    with django_capture_on_commit_callbacks(execute=True):
        return make_book(company, other_company)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (the summaries' refresh) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def make_book(company, other_company) -> Book:
    root = Territory.objects.get(name="All Territories")
    europe = node(Territory, "Europe", root, is_group=True)
    germany = node(Territory, "Germany", europe, is_group=True)
    territories = {
        "root": root,
        "europe": europe,
        "germany": germany,
        "berlin": node(Territory, "Berlin", germany),
        "munich": node(Territory, "Munich", germany),
        "france": node(Territory, "France", europe),
        "rest": Territory.objects.get(name="Rest of the World"),
    }
    groups = {
        "root": CustomerGroup.objects.get(name="All Customer Groups"),
        "commercial": CustomerGroup.objects.get(name="Commercial"),
        "government": CustomerGroup.objects.get(name="Government"),
    }
    team = SalesPerson.objects.get(name="Sales Team")
    north = node(SalesPerson, "North", team, is_group=True)
    people = {
        "team": team,
        "north": north,
        "alice": node(SalesPerson, "Alice", north),
        "bob": node(SalesPerson, "Bob", north),
    }

    def customer(name, territory, group, on=company):
        return CustomerFactory(
            name=name, company=on, territory=territories[territory], customer_group=groups[group]
        )

    customers = {
        "alpha": customer("Alpha", "berlin", "commercial"),
        "bravo": customer("Bravo", "munich", "government"),
        "charlie": customer("Charlie", "france", "commercial"),
        "delta": customer("Delta", "rest", "commercial"),
        "echo": customer("Echo", "berlin", "commercial", on=other_company),
    }
    set_sales_team(
        customer=customers["alpha"], members=[(people["alice"], 60), (people["bob"], 40)]
    )
    set_sales_team(customer=customers["bravo"], members=[(people["bob"], 100)])
    items = {
        "widget": Item.objects.create(code="WIDGET", name="Widget", standard_cost=Decimal("6")),
        "gadget": Item.objects.create(code="GADGET", name="Gadget", standard_cost=Decimal("30")),
        "service": Item.objects.create(code="SERVICE", name="Service"),
    }
    partners = {
        "pioneer": SalesPartner.objects.create(name="Pioneer", partner_type="agent"),
        "quill": SalesPartner.objects.create(name="Quill", partner_type="dealer"),
    }

    def invoice(who, day, item, quantity, rate, *, partner=None, commission=0, submit=True):
        draft = create_draft_invoice(
            company=customers[who].company,
            customer=customers[who],
            posting_date=day,
            lines=[(items[item], quantity, rate)],
            sales_partner=partners.get(partner),
            commission_rate=Decimal(commission),
        )
        return submit_invoice(invoice=draft, user=None) if submit else draft

    invoices = {
        "A1": invoice(
            "alpha", date(2026, 3, 5), "widget", 10, 10, partner="pioneer", commission=10
        ),
        "A2": invoice(
            "alpha", date(2026, 3, 20), "gadget", 1, 40, partner="pioneer", commission=10
        ),
        "A3": invoice(
            "alpha", date(2026, 3, 10), "widget", 1, 500, partner="pioneer", submit=False
        ),
        "A4": invoice(
            "alpha", date(2026, 3, 12), "widget", 1, 300, partner="pioneer", commission=10
        ),
        "B1": invoice(
            "bravo", date(2026, 3, 10), "service", 3, 100, partner="quill", commission="0.335"
        ),
        "C0": invoice("charlie", date(2026, 2, 10), "widget", 1, 50),
        "C1": invoice("charlie", date(2026, 3, 15), "widget", 5, 8),
        "D1": invoice("delta", date(2026, 3, 31), "gadget", 1, 25),
        "D2": invoice("delta", date(2026, 4, 1), "service", 1, 1000),
        "E1": invoice("echo", date(2026, 3, 5), "widget", 1, 999),
    }
    cancel_invoice(invoice=invoices["A4"], user=None)
    pay("alpha", date(2026, 3, 15), (invoices["A1"], "100"), customers=customers)
    pay("alpha", date(2026, 3, 25), (invoices["A2"], "20"), customers=customers)
    pay("charlie", date(2026, 4, 14), (invoices["C1"], "40"), customers=customers)
    for key, draft in invoices.items():
        invoices[key] = SalesInvoice.objects.get(pk=draft.pk)
    return Book(company, other_company, territories, groups, people, customers, invoices, partners)


def pay(who, day, *allocations, customers):
    customer = customers[who]
    return receive_payment(
        company=customer.company,
        customer=customer,
        posting_date=day,
        amount=sum(Decimal(amount) for _, amount in allocations),
        paid_to=Account.objects.get(company=customer.company, account_type=Account.Type.BANK),
        allocations=[Allocation(invoice, Decimal(amount)) for invoice, amount in allocations],
    )
