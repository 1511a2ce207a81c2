"""`make run` gives the dashboard and the target reports something to show."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from analytics.demo import SEASONAL
from analytics.models import SalesTarget
from analytics.services import monthly_targets

pytestmark = pytest.mark.django_db


def test_demo_targets_load_once_for_the_first_level_of_both_trees(capsys):
    call_command("load_demo", "--no-login")
    call_command("load_demo_targets")
    targets = list(SalesTarget.objects.select_related("distribution", "territory"))
    call_command("load_demo_targets")

    assert "Demo targets: 0 added." in capsys.readouterr().out
    assert SalesTarget.objects.count() == len(targets) > 0
    year = timezone.localdate().year
    assert {target.fiscal_year for target in targets} == {year}
    assert {target.distribution.name for target in targets} == {SEASONAL}
    territories = {target.territory.name for target in targets if target.territory}
    assert territories and all(
        target.territory.parent.parent is None for target in targets if target.territory
    )
    assert any(target.sales_person_id for target in targets)
    first = targets[0]
    assert sum(monthly_targets(first)) == first.amount
