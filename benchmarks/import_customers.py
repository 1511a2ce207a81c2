"""How fast customers import: 100,000 rows with a primary contact and a ledger each.

Run from the project root (PostgreSQL):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import \\
        .venv/bin/python benchmarks/import_customers.py [--file PATH] [--rows N]

The database named in DATABASE_URL is DROPPED and recreated (its name must contain "bench").
Imports ../shared/data/datablist-generated/customers/customers-100000.csv (Customer Id ->
code, Company -> name, First/Last Name, Email, Phone 1 -> the primary contact; the file has
no street lines, so no address) and prints rows/s for the dry run and for the import, the
queries, the peak memory of the process (RSS), the same file imported again (every row
unchanged), and a raw PostgreSQL COPY of the file into a scratch table as the physical reference.
"""

import argparse
import csv
import os
import resource
import sys
import time
from itertools import islice
from pathlib import Path

# Importing `ledgers` sets Django up as that benchmark does, before any model is imported.
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from ledgers import recreate_database

from config.importing import Mode
from crm import demo
from crm.importing import CustomerImport, Defaults
from crm.models import ContactLink, Customer, CustomerGroup, PartyLedger, Territory

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FILE = DATA / "datablist-generated" / "customers" / "customers-100000.csv"
HEADERS = {
    "code": "Customer Id",
    "name": "Company",
    "contact_first_name": "First Name",
    "contact_last_name": "Last Name",
    "email": "Email",
    "phone": "Phone 1",
    "website": "Website",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=FILE)
    parser.add_argument("--rows", type=int, default=None, help="only the first N rows")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")
    recreate_database()
    demo.load_demo()
    rows = read(args.file, args.rows)
    print(f"{args.file.name}: {len(rows):,} rows, {args.file.stat().st_size / 2**20:.1f} MiB")

    seconds = copy_reference(args.file)
    lines = sum(1 for _ in args.file.open("rb")) - 1
    rate = lines / seconds
    print(
        f"{'raw COPY of the file into a scratch table':<42} {seconds:>7.2f} s {rate:>10,.0f} rows/s"
    )
    first = run_import(rows, "first import").counts
    assert first.new == len(rows) - first.invalid
    print(
        f"written: {Customer.objects.count():,} customers, "
        f"{PartyLedger.objects.count():,} ledgers, {ContactLink.objects.count():,} contacts"
    )
    again = run_import(rows, "same file again (all unchanged)", mode=Mode.UPSERT).counts
    assert again.unchanged == first.new


def read(path, limit):
    """The file's rows as (row number, {field: text}); the header is row 1."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        return [
            (number, {field: record[header] for field, header in HEADERS.items()})
            for number, record in enumerate(islice(reader, limit), start=2)
        ]


def defaults():
    return Defaults(
        company=demo.Company.objects.get(abbreviation="DT"),
        customer_group=CustomerGroup.objects.get(name="Retail"),
        territory=Territory.objects.get(name="Germany"),
    )


def run_import(rows, label, mode=Mode.INSERT):
    """The preview (a dry run), then the import as the page runs it: every row checked again
    and written while the next batch is checked, and the commit."""
    preview = CustomerImport(mode=mode, defaults=defaults(), headers=HEADERS)
    with CaptureQueriesContext(connection) as planned:
        start = time.perf_counter()
        plan = preview.plan(rows)
        plan_seconds = time.perf_counter() - start
    del preview, plan  # the page previews and imports in different requests
    job = CustomerImport(mode=mode, defaults=defaults(), headers=HEADERS)
    with CaptureQueriesContext(connection) as imported:
        start = time.perf_counter()
        with transaction.atomic():  # the commit runs the deferred checks: it counts
            plan = job.plan_and_write(rows)
        import_seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB
    print(f"\n{label}: {plan.counts}")
    for what, seconds, queries in [
        ("preview (dry run of every row)", plan_seconds, len(planned)),
        ("import end to end (check, write, commit)", import_seconds, len(imported)),
    ]:
        rate = f"{len(rows) / seconds:>10,.0f}" if seconds > 0.01 else f"{'-':>10}"
        print(f"{what:<42} {seconds:>7.2f} s {rate} rows/s {queries:>6} queries")
    print(f"{'peak memory of the process so far':<42} {peak / 2**20:>7.0f} MiB")
    return plan


def copy_reference(path):
    """The physical floor: COPY the file as text into a scratch table."""
    with path.open(encoding="utf-8-sig") as handle:
        header = handle.readline().rstrip("\n").split(",")
    columns = ", ".join(f'"c{n}" text' for n in range(len(header)))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE scratch ({columns})")
        start = time.perf_counter()
        with (
            path.open("rb") as handle,
            cursor.cursor.copy("COPY scratch FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := handle.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - start
        cursor.execute("DROP TABLE scratch")
    return seconds


if __name__ == "__main__":
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    main()
