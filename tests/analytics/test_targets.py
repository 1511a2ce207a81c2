"""Sales targets: one per owner, company and year; split into months to the cent."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from analytics.models import MonthlyDistribution, SalesTarget
from analytics.services import create_distribution, monthly_targets, set_target
from crm.models import SalesPerson, Territory

pytestmark = pytest.mark.django_db

D = Decimal
SEASONAL = [5, 5, 20, 10, 10, 10, 5, 5, 10, 10, 5, 5]


@pytest.fixture
def territory(db):
    return Territory.objects.get(name="Rest of the World")


@pytest.fixture
def person(db):
    return SalesPerson.objects.create(
        name="Alice", parent=SalesPerson.objects.get(name="Sales Team")
    )


def test_an_even_split_puts_the_rounding_remainder_in_december(company, territory):
    target = set_target(company=company, fiscal_year=2026, territory=territory, amount="1000")

    months = monthly_targets(target)

    assert months == [D("83.33")] * 11 + [D("83.37")]
    assert sum(months) == D(1000)


def test_a_distribution_splits_by_its_percentages(company, territory):
    seasonal = create_distribution(name="Seasonal", percentages=SEASONAL)
    target = set_target(
        company=company,
        fiscal_year=2026,
        territory=territory,
        amount="1234.56",
        distribution=seasonal,
    )

    months = monthly_targets(target)

    assert months[0] == D("61.72")  # 5 % of 1,234.56 = 61.728, cut to the cent
    assert months[2] == D("246.91")
    assert sum(months) == D("1234.56")


def test_setting_a_target_again_changes_it(company, territory):
    first = set_target(company=company, fiscal_year=2026, territory=territory, amount=100)
    again = set_target(company=company, fiscal_year=2026, territory=territory, amount=250)

    assert again.pk == first.pk
    assert SalesTarget.objects.get().amount == D(250)


def test_a_sales_person_and_a_territory_each_have_their_own_target(company, territory, person):
    set_target(company=company, fiscal_year=2026, territory=territory, amount=100)
    set_target(company=company, fiscal_year=2026, sales_person=person, amount=100)
    set_target(company=company, fiscal_year=2027, sales_person=person, amount=100)

    assert SalesTarget.objects.count() == 3


def test_a_target_is_for_a_territory_or_a_sales_person_not_both(company, territory, person):
    with pytest.raises(ValidationError, match="either a territory or a sales person"):
        set_target(
            company=company, fiscal_year=2026, territory=territory, sales_person=person, amount=1
        )
    with pytest.raises(ValidationError, match="either a territory or a sales person"):
        set_target(company=company, fiscal_year=2026, amount=1)


def test_the_database_refuses_a_target_for_both_or_neither(company, territory, person):
    for owner in ({"territory": territory, "sales_person": person}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            SalesTarget.objects.create(company=company, fiscal_year=2026, amount=1, **owner)


def test_the_database_refuses_a_second_target_for_the_same_year(company, territory):
    SalesTarget.objects.create(company=company, fiscal_year=2026, territory=territory, amount=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        SalesTarget.objects.create(company=company, fiscal_year=2026, territory=territory, amount=2)


def test_a_negative_target_is_refused(company, territory):
    with pytest.raises(ValidationError, match="amount"):
        set_target(company=company, fiscal_year=2026, territory=territory, amount=-1)


def test_a_distribution_must_total_exactly_100(db):
    with pytest.raises(ValidationError, match=r"total 99\.99% .* by 0\.01%"):
        create_distribution(name="Short", percentages=["8.33"] * 11 + ["8.36"])
    assert not MonthlyDistribution.objects.exists()


def test_a_distribution_needs_twelve_months(db):
    with pytest.raises(ValidationError, match=r"twelve percentages.*11 were given"):
        create_distribution(name="Short", percentages=[10] * 11)


def test_the_database_refuses_a_distribution_not_totalling_100(db):
    months = {f"month_{month}": D("8.33") for month in range(1, 13)}
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyDistribution.objects.create(name="Bad", **months)
    months["month_12"] = D("8.37")
    MonthlyDistribution.objects.create(name="Good", **months)


def test_the_database_refuses_a_negative_month(db):
    months = {f"month_{month}": D(10) for month in range(1, 13)}
    months |= {"month_1": D(-10), "month_2": D(30)}
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlyDistribution.objects.create(name="Negative", **months)
