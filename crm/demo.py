"""Demo data: two companies, realistic group and territory trees, a few hundred customers.

Idempotent: everything is looked up by name or code first, so a second run adds nothing.
"""

import random
import secrets
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.models import Company
from accounts.services import create_company

from .models import Customer, CustomerGroup, Territory
from .services import open_receivable_ledgers

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


@transaction.atomic
def load_demo(stdout=None) -> dict:
    companies = [_company(**spec) for spec in COMPANIES]
    groups = _tree(CustomerGroup, "All Customer Groups", CUSTOMER_GROUPS)
    territories = _tree(Territory, "All Territories", TERRITORIES)
    created = _customers(companies, groups, territories)
    return {"companies": len(companies), "customers_created": created}


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


def _customers(companies, groups, territories) -> int:
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
        )
        if code not in existing:
            new.append(customer)
    Customer.objects.bulk_create(new)  # bulk: no post_save, so open the ledgers in one go
    open_receivable_ledgers(customers=new)
    return len(new)


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
