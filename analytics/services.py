"""The verbs of sales analytics: set a target, split it into months."""

from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import ZERO
from accounts.services import CENT

from .models import HUNDRED, MONTHS, MonthlyDistribution, SalesTarget

EVEN_SHARE = HUNDRED / len(MONTHS)


def set_target(
    *, company, fiscal_year, amount, territory=None, sales_person=None, distribution=None
) -> SalesTarget:
    """Create or change the year's target of `territory` or `sales_person` in `company`.

    The database allows one target per owner, company and year; when two requests create the
    same target at once, the second changes what the first created.
    """
    values = {
        "company": company,
        "fiscal_year": fiscal_year,
        "territory": territory,
        "sales_person": sales_person,
    }
    changes = {"amount": Decimal(amount), "distribution": distribution}
    try:
        return _save_target(values, changes)
    except IntegrityError:
        return _save_target(values, changes)


def _save_target(values, changes) -> SalesTarget:
    with transaction.atomic():
        target = SalesTarget.objects.select_for_update().filter(**values).order_by("pk").first()
        target = target or SalesTarget(**values)
        for field, value in changes.items():
            setattr(target, field, value)
        target.full_clean()
        target.save()
        return target


def remove_target(*, target) -> None:
    target.delete()


def create_distribution(*, name, percentages) -> MonthlyDistribution:
    """A distribution from twelve percentages, January first; they must total exactly 100."""
    if len(percentages) != len(MONTHS):
        raise ValidationError(
            f"Give twelve percentages, January to December; {len(percentages)} were given."
        )
    distribution = MonthlyDistribution(
        name=name,
        **{
            f"month_{month}": Decimal(percent)
            for month, percent in zip(MONTHS, percentages, strict=True)
        },
    )
    distribution.full_clean()
    distribution.save()
    return distribution


def monthly_targets(target) -> list[Decimal]:
    """The target's amount per month, January first, in cents that add up to the amount
    exactly: each month's share is rounded down and December takes what is left over."""
    shares = target.distribution.percentages if target.distribution else [EVEN_SHARE] * 12
    months = [
        (target.amount * share / HUNDRED).quantize(CENT, rounding=ROUND_DOWN)
        for share in shares[:-1]
    ]
    return [*months, target.amount - sum(months, ZERO)]
