"""Shared test helpers: PostgreSQL-only marks and running work in concurrent threads."""

import threading

import pytest
from django.conf import settings
from django.db import connection

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]

requires_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="needs PostgreSQL's row locks (CI runs it with DATABASE_URL set)"
)


def run_concurrently(work, *, threads=2):
    """Run `work(index)` in several threads released at the same moment; return results/errors.

    Each thread uses its own database connection, closed at the end.
    """
    barrier = threading.Barrier(threads)
    results, errors = [None] * threads, [None] * threads

    def target(index):
        try:
            barrier.wait(timeout=10)
            results[index] = work(index)
        except Exception as exc:
            errors[index] = exc
        finally:
            connection.close()

    workers = [threading.Thread(target=target, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    return results, errors
