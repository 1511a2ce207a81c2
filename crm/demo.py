"""Demo data: two companies, realistic group and territory trees, a few hundred customers.

Idempotent: everything is looked up by name or code first, so a second run adds nothing.
"""

import random
import secrets
from decimal import Decimal
from pathlib import Path

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from accounts.models import Company
from accounts.services import create_company

from .models import (
    Address,
    Contact,
    Customer,
    CustomerGroup,
    SalesPartner,
    SalesPerson,
    Territory,
)
from .services import (
    add_contact_email,
    add_contact_phone,
    link_address,
    link_contact,
    open_receivable_ledgers,
    set_sales_team,
)

DEMO_LOGIN_FILE = Path(settings.BASE_DIR) / ".demo-login"
DEMO_USERNAME = "demo"
CUSTOMER_COUNT = 300

COMPANIES = [
    {"name": "Demo Trading", "abbreviation": "DT", "default_currency": "EUR",
     "credit_limit": Decimal("50000.00")},
    {"name": "Demo Services Inc", "abbreviation": "DSI", "default_currency": "USD",
     "credit_limit": None},
]  # fmt: skip

# name -> children; a dict is a group, a list holds leaves.
CUSTOMER_GROUPS = {
    "Trade": ["Retail", "Wholesale", "Distribution"],
    "Services": ["Professional Services", "Hospitality"],
}
TERRITORIES = {
    "Europe": {
        "Western Europe": ["Germany", "France", "Netherlands"],
        "Northern Europe": ["Sweden", "Denmark"],
        "Southern Europe": ["Spain", "Italy"],
    },
    "Americas": {
        "North America": ["United States", "Canada"],
        "Latin America": ["Brazil", "Mexico"],
    },
    "Asia Pacific": ["Japan", "Australia", "India"],
}

PREFIXES = [
    "North",
    "Blue",
    "Silver",
    "Oak",
    "River",
    "Summit",
    "Harbor",
    "Pine",
    "Bright",
    "Iron",
    "Golden",
    "Stone",
    "Maple",
    "Cedar",
    "Falcon",
    "Lake",
    "Red",
    "Green",
]
NOUNS = ["wind", "field", "bridge", "gate", "point", "stone", "brook", "wood", "crest", "line"]
TRADES = [
    "Trading",
    "Supplies",
    "Logistics",
    "Foods",
    "Textiles",
    "Hardware",
    "Consulting",
    "Hotels",
    "Pharma",
    "Electronics",
    "Furniture",
    "Motors",
]
SUFFIXES = ["Ltd", "GmbH", "SA", "BV", "Inc", "AB", "S.r.l.", "LLC", "Pty Ltd", "KK"]
FIRST_NAMES = ["Anna", "Lars", "Sofía", "Marco", "Yuki", "Priya", "Jean", "Emma", "Noah", "Zoë"]
LAST_NAMES = ["Müller", "Andersson", "García", "Rossi", "Tanaka", "Sharma", "Dubois", "Smith"]


SALES_PERSONS = {
    "Europe Sales": ["Anna Schmidt", "Pierre Martin", "Elena Rossi"],
    "Americas Sales": ["John Carter", "Maria Silva"],
    "Asia Pacific Sales": ["Kenji Sato"],
}
SALES_PARTNERS = [
    ("Northern Channel AB", SalesPartner.Kind.CHANNEL_PARTNER, "Northern Europe", "7.5"),
    ("Iberia Distribución SL", SalesPartner.Kind.DISTRIBUTOR, "Southern Europe", "10"),
    ("Pacific Resellers Pty", SalesPartner.Kind.RESELLER, "Asia Pacific", "5"),
]
# territory leaf -> (country code, cities)
PLACES = {
    "Germany": ("DE", [("Berlin", "10115"), ("Hamburg", "20095"), ("München", "80331")]),
    "France": ("FR", [("Paris", "75001"), ("Lyon", "69001")]),
    "Netherlands": ("NL", [("Amsterdam", "1012 AB"), ("Utrecht", "3511 AA")]),
    "Sweden": ("SE", [("Stockholm", "111 22"), ("Göteborg", "411 01")]),
    "Denmark": ("DK", [("København", "1050"), ("Aarhus", "8000")]),
    "Spain": ("ES", [("Madrid", "28001"), ("Barcelona", "08001")]),
    "Italy": ("IT", [("Roma", "00118"), ("Milano", "20121")]),
    "United States": ("US", [("Springfield", "62701"), ("Boston", "02108")]),
    "Canada": ("CA", [("Toronto", "M5H 2N2"), ("Montréal", "H2Y 1C6")]),
    "Brazil": ("BR", [("São Paulo", "01001-000")]),
    "Mexico": ("MX", [("Ciudad de México", "06000")]),
    "Japan": ("JP", [("Tokyo", "100-0001")]),
    "Australia": ("AU", [("Sydney", "2000")]),
    "India": ("IN", [("Mumbai", "400001")]),
}
STREETS = ["Main Street", "Station Road", "Market Square", "Harbour Lane", "Park Avenue"]


@transaction.atomic
def load_demo(stdout=None) -> dict:
    companies = [_company(**spec) for spec in COMPANIES]
    groups = _tree(CustomerGroup, "All Customer Groups", CUSTOMER_GROUPS)
    territories = _tree(Territory, "All Territories", TERRITORIES)
    sales_people = _tree(SalesPerson, "Sales Team", SALES_PERSONS)
    partners = _sales_partners()
    new_customers = _customers(companies, groups, territories, partners)
    _customer_details(new_customers, sales_people)
    return {"companies": len(companies), "customers_created": len(new_customers)}


def _sales_partners():
    partners = []
    for name, kind, territory, rate in SALES_PARTNERS:
        partner, _ = SalesPartner.objects.get_or_create(
            name=name,
            defaults={
                "partner_type": kind,
                "territory": Territory.objects.get(name=territory),
                "commission_rate": Decimal(rate),
            },
        )
        partners.append(partner)
    return partners


def _company(*, name, abbreviation, default_currency, credit_limit):
    company = Company.objects.filter(name=name).first()
    return company or create_company(
        name=name,
        abbreviation=abbreviation,
        default_currency=default_currency,
        credit_limit=credit_limit,
    )


def _tree(model, root_name, spec) -> list:
    """Create the nodes in `spec` below the root; return the leaves."""
    root = model.objects.get(name=root_name)
    leaves = []

    def grow(parent, children):
        for name, grandchildren in (
            children.items() if isinstance(children, dict) else ((c, None) for c in children)
        ):
            node, _ = model.objects.get_or_create(
                name=name, defaults={"parent": parent, "is_group": grandchildren is not None}
            )
            if grandchildren is None:
                leaves.append(node)
            else:
                grow(node, grandchildren)

    grow(root, spec)
    return leaves


def _customers(companies, groups, territories, partners) -> list[Customer]:
    rng = random.Random(20261204)
    codes = [f"DEMO-{number:05d}" for number in range(1, CUSTOMER_COUNT + 1)]
    existing = set(Customer.objects.filter(code__in=codes).values_list("code", flat=True))
    individual = CustomerGroup.objects.get(name="Individual")
    new = []
    for index, code in enumerate(codes):
        is_person = rng.random() < 0.2
        name = _person_name(rng) if is_person else _company_name(rng)
        customer = Customer(
            code=code,
            name=name,
            customer_type=Customer.Kind.INDIVIDUAL if is_person else Customer.Kind.COMPANY,
            customer_group=individual if is_person else rng.choice(groups),
            territory=rng.choice(territories),
            company=companies[0] if index % 3 else companies[1],
            disabled=rng.random() < 0.03,
            frozen=rng.random() < 0.02,
            default_sales_partner=rng.choice(partners) if rng.random() < 0.15 else None,
        )
        if code not in existing:
            new.append(customer)
    bulk_create_with_history(new, Customer)  # bulk: no post_save, so open the ledgers at once
    open_receivable_ledgers(customers=new)
    return new


def _customer_details(customers, sales_people):
    """A primary contact with email and phone, a primary address and a sales team each."""
    rng = random.Random(4)
    for customer in customers:
        country, cities = PLACES.get(customer.territory.name, ("GB", [("London", "EC1A 1BB")]))
        city, postal_code = rng.choice(cities)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        contact = Contact.objects.create(first_name=first, last_name=last, designation="Buyer")
        add_contact_email(
            contact=contact, email=f"{_slug(first)}.{customer.code.lower()}@example.com"
        )
        add_contact_phone(contact=contact, number=_phone(country, rng), country=country)
        link_contact(contact=contact, party=customer, primary=True)
        address = Address.objects.create(
            title=f"{customer.name} head office",
            address_type=Address.Kind.BILLING,
            line1=f"{rng.randint(1, 200)} {rng.choice(STREETS)}",
            city=city,
            postal_code=postal_code,
            country=country,
        )
        link_address(address=address, party=customer, primary_for=["billing", "shipping"])
        team = rng.sample(sales_people, 2)
        shares = [(team[0], 100)] if rng.random() < 0.6 else [(team[0], 60), (team[1], 40)]
        set_sales_team(customer=customer, members=shares)


def _slug(text):
    return "".join(c for c in text.lower() if c.isascii() and c.isalpha()) or "contact"


def _phone(country, rng):
    example = phonenumbers.example_number(country)
    national = str(example.national_number)
    return f"+{example.country_code}{national[:-2]}{rng.randint(10, 99)}"


def _company_name(rng):
    return f"{rng.choice(PREFIXES)}{rng.choice(NOUNS)} {rng.choice(TRADES)} {rng.choice(SUFFIXES)}"


def _person_name(rng):
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def ensure_demo_login() -> tuple[str, str]:
    """The demo superuser and its password, generated once and kept in an ignored file."""
    User = get_user_model()
    user = User.objects.filter(username=DEMO_USERNAME).first()
    if user is not None and DEMO_LOGIN_FILE.exists():
        return DEMO_USERNAME, DEMO_LOGIN_FILE.read_text().strip()
    password = secrets.token_urlsafe(12)
    if user is None:
        User.objects.create_superuser(DEMO_USERNAME, email="", password=password)
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    DEMO_LOGIN_FILE.write_text(password + "\n")
    DEMO_LOGIN_FILE.chmod(0o600)
    return DEMO_USERNAME, password
