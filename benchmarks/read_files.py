"""How fast uploaded files become rows, and how much memory that takes.

Run from the project root (no database is used):

    .venv/bin/python benchmarks/read_files.py [--runs 3]

Reads ../shared/data/datablist-generated/customers/customers-100000.csv (100,000 rows, 17 MB)
as CSV, then the same rows written to an XLSX workbook in a temporary directory (openpyxl
write-only mode, dates as dates and the index as numbers), with `dataimport.reading`. For
each it prints rows per second (the best of `--runs`, without tracemalloc, which slows
Python's allocations down) and the peak of memory allocated while reading (a separate run
under tracemalloc), next to the file's size.
"""

import argparse
import csv
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
CUSTOMERS_CSV = ROOT.parent / "shared/data/datablist-generated/customers/customers-100000.csv"


def setup_django():
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    sys.path.insert(0, str(ROOT))
    django.setup()


setup_django()

import openpyxl  # noqa: E402

from dataimport.reading import read_table  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not CUSTOMERS_CSV.exists():
        sys.exit(f"Missing sample file {CUSTOMERS_CSV}")
    with tempfile.TemporaryDirectory() as folder:
        workbook = Path(folder) / "customers-100000.xlsx"
        seconds = timed(lambda: write_workbook(CUSTOMERS_CSV, workbook))
        print(f"(wrote {workbook.name} in {seconds:.1f} s)")
        print(f"{'file':<28} {'size MB':>8} {'rows':>8} {'rows/s':>9} {'peak MB':>8}")
        for path in (CUSTOMERS_CSV, workbook):
            measure(path, args.runs)


def measure(path: Path, runs: int):
    rows = read_all(path)
    best = min(timed(lambda: read_all(path)) for _ in range(runs))
    tracemalloc.start()
    read_all(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    size = path.stat().st_size / 1e6
    print(f"{path.name:<28} {size:>8.1f} {rows:>8,} {rows / best:>9,.0f} {peak / 1e6:>8.1f}")


def read_all(path: Path) -> int:
    with path.open("rb") as upload:
        parsed = read_table(upload, filename=path.name)
        return sum(1 for _ in parsed.rows)


def write_workbook(source: Path, target: Path):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Customers")
    with source.open(newline="", encoding="utf-8") as text:
        rows = csv.reader(text)
        sheet.append(next(rows))
        for index, *values, subscribed, website in rows:
            sheet.append([int(index), *values, date.fromisoformat(subscribed), website])
    workbook.save(target)


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
