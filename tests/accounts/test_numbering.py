import pytest

from accounts.models import NamingSeries
from accounts.services import next_numbers
from tests.helpers import requires_postgresql, run_concurrently


@pytest.mark.django_db
def test_numbers_follow_each_other_without_gaps():
    assert next_numbers(prefix="SINV-2026-") == ["SINV-2026-00001"]
    assert next_numbers(prefix="SINV-2026-", count=2) == ["SINV-2026-00002", "SINV-2026-00003"]
    assert next_numbers(prefix="X-", width=3) == ["X-001"]


@requires_postgresql
@pytest.mark.usefixtures("migrated_rows")
def test_concurrent_requests_get_distinct_consecutive_numbers():
    results, errors = run_concurrently(lambda i: next_numbers(prefix="RACE-", count=5), threads=4)
    assert errors == [None] * 4
    numbers = sorted(number for batch in results for number in batch)
    assert numbers == [f"RACE-{n:05d}" for n in range(1, 21)]
    assert NamingSeries.objects.get(prefix="RACE-").current == 20
