"""How fast the customer list downloads as CSV and XLSX with 100,000 customers.

Run from the project root (PostgreSQL only: the rows are generated in SQL):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_exports \\
        .venv/bin/python benchmarks/exports.py [--customers 100000] [--runs 3]

The database named in DATABASE_URL is DROPPED and recreated (its name must contain "bench").
It gets the demo data and the customers of the customer list benchmark (each with a ledger
and a primary contact with email and phone). For each format it prints the median time of
the whole download through Django's test client (every byte read), the time to the first
byte, the size, the queries and the peak Python memory (tracemalloc) of one download.
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc

os.environ.setdefault("ALLOWED_HOSTS", "testserver")  # the test client's host name
# Importing `ledgers` sets Django up as that benchmark does, before any model is imported.
from customer_list import load_customers
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from ledgers import recreate_database

from crm import demo


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")
    recreate_database()
    demo.load_demo()
    load_customers(1, args.customers)
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("bench", password="bench"))

    print(f"{'download':<28} {'median s':>9} {'first byte s':>13} {'MiB':>7} {'queries':>8}")
    for file_format in ("csv", "xlsx"):
        url = reverse("crm:customer_export", args=[file_format])
        runs = [download(client, url) for _ in range(args.runs)]
        total = statistics.median(run[0] for run in runs)
        first = statistics.median(run[1] for run in runs)
        size, queries = runs[-1][2], runs[-1][3]
        label = f"customers, {file_format.upper()}"
        print(f"{label:<28} {total:>9.2f} {first:>13.2f} {size / 2**20:>7.1f} {queries:>8}")
    for file_format in ("csv", "xlsx"):
        url = reverse("crm:customer_export", args=[file_format])
        tracemalloc.start()
        download(client, url)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"peak Python memory, {file_format.upper()}: {peak / 2**20:.1f} MiB")


def download(client, url):
    """(seconds for every byte, seconds to the first byte, bytes, queries)."""
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        chunks = (
            iter(response.streaming_content) if response.streaming else iter([response.content])
        )
        size = len(next(chunks, b""))
        first_byte = time.perf_counter() - start
        size += sum(len(chunk) for chunk in chunks)
        total = time.perf_counter() - start
    return total, first_byte, size, len(queries)


if __name__ == "__main__":
    main()
