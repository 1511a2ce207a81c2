"""Demo sales targets for `make run`: this year's target of every territory and sales person
directly under the tree's top, in each company, with a seasonal distribution."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Company
from crm.models import SalesPerson, Territory

from .models import MonthlyDistribution, SalesTarget
from .services import create_distribution, set_target

SEASONAL = "Seasonal (demo)"
SEASONAL_PERCENTAGES = [6, 6, 8, 8, 9, 9, 7, 6, 9, 10, 11, 11]
TERRITORY_TARGET = Decimal("60000")
SALES_PERSON_TARGET = Decimal("25000")


@transaction.atomic
def load_demo_targets() -> int:
    """Set the targets that are missing; returns how many were added."""
    seasonal = MonthlyDistribution.objects.filter(name=SEASONAL).first()
    seasonal = seasonal or create_distribution(name=SEASONAL, percentages=SEASONAL_PERCENTAGES)
    year = timezone.localdate().year
    owners = [
        *(("territory", node, TERRITORY_TARGET) for node in _below_the_top(Territory)),
        *(("sales_person", node, SALES_PERSON_TARGET) for node in _below_the_top(SalesPerson)),
    ]
    added = 0
    for company in Company.objects.all():
        for field, node, amount in owners:
            owner = {field: node}
            if SalesTarget.objects.filter(company=company, fiscal_year=year, **owner).exists():
                continue
            set_target(
                company=company,
                fiscal_year=year,
                amount=amount,
                distribution=seasonal,
                **owner,
            )
            added += 1
    return added


def _below_the_top(model):
    return model.objects.filter(parent__isnull=False, parent__parent__isnull=True)
