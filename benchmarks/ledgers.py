"""How fast customers get their receivable ledgers: one save at a time, and in batches.

Run from the project root:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ledgers \\
        .venv/bin/python benchmarks/ledgers.py [--customers 100000] [--batch 2000]

The PostgreSQL database named in DATABASE_URL is DROPPED and recreated on every run (its
name must contain "bench"). Without DATABASE_URL a throwaway SQLite file in the temp
directory is used, never the developer's db.sqlite3.

Prints customers/second for the first and the last 10,000 customers (the cost must not grow
with the number of ledgers), the SQL queries per save and per batch, and sanity totals.
"""

import argparse
import os
import sys
import tempfile
import time
from itertools import count, islice
from pathlib import Path

import django


def setup_django():
    """The test settings, on a fresh throwaway SQLite file unless DATABASE_URL is set."""
    if "DATABASE_URL" not in os.environ:
        sqlite_file = Path(tempfile.gettempdir()) / "bench_ledgers.sqlite3"
        sqlite_file.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{sqlite_file}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    django.setup()


setup_django()

import psycopg  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.db.models import Count, F, Q  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from psycopg import sql  # noqa: E402

from accounts.models import Account, Company  # noqa: E402
from accounts.services import create_company  # noqa: E402
from crm.models import Customer, CustomerGroup, PartyLedger, Territory  # noqa: E402
from crm.services import assign_codes, open_receivable_ledgers  # noqa: E402

WINDOW = 10_000  # customers timed at the start and at the end
SAMPLE = 200  # saves whose queries are counted, near the start and near the end


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000, help="per company")
    parser.add_argument("--batch", type=int, default=2000, help="customers per bulk batch")
    args = parser.parse_args()
    if args.customers < 2 * SAMPLE + 2:
        parser.error(f"--customers must be at least {2 * SAMPLE + 2}")

    recreate_database()
    print(f"database: {connection.vendor}")
    one_save_at_a_time(args.customers)
    in_batches(args.customers, args.batch)
    print_totals()


def recreate_database():
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        if "bench" not in db["NAME"]:
            sys.exit(f"Refusing to drop database {db['NAME']!r}: its name must contain 'bench'.")
        params = {key.lower(): db[key] for key in ("HOST", "PORT", "USER", "PASSWORD") if db[key]}
        name = sql.Identifier(db["NAME"])
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as maintenance:
            maintenance.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            maintenance.execute(sql.SQL("CREATE DATABASE {}").format(name))
    call_command("migrate", verbosity=0)


# --- the two ways of adding customers ---------------------------------------------------


def one_save_at_a_time(total):
    """Customer(...).save(), each opening its ledger through the post_save receiver."""
    customers = new_customers(new_company("Bench One By One", "BONE"))
    window = min(WINDOW, (total - 2 * SAMPLE) // 2)

    def save(how_many):
        for customer in islice(customers, how_many):
            customer.save()

    first = rate(window, timed(lambda: save(window)))
    queries_at_start = queries(lambda: save(SAMPLE)) / SAMPLE
    save(total - 2 * window - 2 * SAMPLE)
    queries_at_end = queries(lambda: save(SAMPLE)) / SAMPLE
    last = rate(window, timed(lambda: save(window)))
    print(
        f"one save at a time: first {window:,}: {first}; last {window:,}: {last}; "
        f"{queries_at_start:.1f} queries per save (near the start), "
        f"{queries_at_end:.1f} (near the end)"
    )


def in_batches(total, size):
    """assign_codes, bulk_create and open_receivable_ledgers, one batch at a time."""
    customers = islice(new_customers(new_company("Bench Batches", "BBATCH")), total)
    seconds, query_counts = [], []

    def add(batch):
        with transaction.atomic():
            assign_codes(batch)
            Customer.objects.bulk_create(batch)
            open_receivable_ledgers(customers=batch)

    while batch := list(islice(customers, size)):
        start = time.perf_counter()
        query_counts.append(queries(lambda batch=batch: add(batch)))
        seconds.append(time.perf_counter() - start)

    per_window = max(1, min(WINDOW, total // 2) // size)
    window = per_window * size
    first = rate(window, sum(seconds[:per_window]))
    last = rate(window, sum(seconds[-per_window:]))
    spread = "same for every batch" if len(set(query_counts)) == 1 else "VARIES between batches"
    print(
        f"batches of {size:,}: first {window:,}: {first}; last {window:,}: {last}; "
        f"{query_counts[0]} queries per batch (first), {query_counts[-1]} (last), {spread}"
    )


def new_company(name, abbreviation):
    return create_company(name=name, abbreviation=abbreviation, default_currency="EUR")


def new_customers(company):
    """An endless supply of unsaved customers of `company`."""
    group = CustomerGroup.objects.leaves().get(name="Commercial")
    territory = Territory.objects.leaves().get(name="Rest of the World")
    for number in count(1):
        yield Customer(
            name=f"Customer {number:06d}",
            company=company,
            customer_group=group,
            territory=territory,
        )


# --- measuring ----------------------------------------------------------------------------


def timed(action):
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def queries(action):
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def rate(customers, seconds):
    return f"{customers / seconds:,.0f} customers/s"


def print_totals():
    print(f"customers: {Customer.objects.count():,}")
    print(f"party ledgers: {PartyLedger.objects.count():,}")
    for company in Company.objects.select_related("receivable_group"):
        under_group = Account.objects.filter(parent=company.receivable_group).count()
        print(f"accounts under {company.receivable_group}: {under_group:,}")
    own_ledgers = Count("ledgers", filter=Q(ledgers__company=F("company")))
    wrong = Customer.objects.annotate(own_ledgers=own_ledgers).exclude(own_ledgers=1).count()
    verdict = "OK" if wrong == 0 else f"FAILED for {wrong:,} customers"
    print(f"every customer has exactly one ledger in its company: {verdict}")


if __name__ == "__main__":
    main()
