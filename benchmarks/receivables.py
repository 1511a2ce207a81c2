"""Receivables at scale: 100,000 customers with 1,000,000 submitted invoices between them.

Run from the project root (PostgreSQL only: the rows are generated in SQL):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_receivables \\
        .venv/bin/python benchmarks/receivables.py [--customers 100000] [--runs 5]

The database named in DATABASE_URL is DROPPED and recreated (its name must contain "bench").
It gets the demo data and `--customers` customers with ledgers and contacts (as the customer
list benchmark makes them; every tenth also has an older posted sale), then ten submitted
invoices per customer over the last 240 days, due 30 days after their date, each with a
line and a balanced journal: a quarter open, a quarter half paid, half paid in full. Every
customer has one payment allocated to its paid invoices, every twentieth an advance of 100
besides. Ledger balances therefore equal outstanding invoices (plus the older sale) less
advances, as the services keep them.

Prints the median of `--runs` for: one invoice submit (credit check, numbering, journal)
with its query count, a customer's outstanding, the full aging report of the larger company
(every row fetched) and its totals, and the pages that read these rows.
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc

os.environ.setdefault("ALLOWED_HOSTS", "testserver")  # the test client's host name
# Importing `ledgers` sets Django up as that benchmark does, before any model is imported.
from customer_list import load_customers, max_id
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from ledgers import recreate_database

from accounts.models import Company
from crm import demo
from crm.models import Customer
from crm.selectors import customer_outstanding
from invoicing import receivables
from invoicing.models import SalesInvoice
from invoicing.services import create_draft_invoice, submit_invoice
from pricing.models import Item

INVOICES_PER_CUSTOMER = 10
BATCH = 10_000  # customers whose invoices are generated per statement
TABLES = [
    "accounts_journalentry",
    "accounts_glentry",
    "invoicing_salesinvoice",
    "invoicing_salesinvoiceline",
    "invoicing_payment",
    "invoicing_paymentallocation",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")

    recreate_database()
    demo.load_demo()
    seconds = timed(lambda: load_customers(1, args.customers))
    print(f"loaded {args.customers:,} customers in {seconds:.0f} s")
    seconds = timed(load_receivables)
    print(
        f"loaded {SalesInvoice.objects.count():,} invoices with their lines, journals, "
        f"payments and allocations in {seconds:.0f} s"
    )
    measure(args.runs)


# --- loading ------------------------------------------------------------------------------


def load_receivables():
    item = Item.objects.create(code="BENCH", name="Benchmark item")
    bench = Customer.objects.filter(code__startswith="BENCH-").order_by("pk")
    first_id, last_id = bench.first().pk, bench.last().pk
    customers = last_id - first_id + 1
    with connection.cursor() as cursor:
        bases = {table: max_id(cursor, table) for table in TABLES}
    for low in range(first_id, last_id + 1, BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            params = {
                "first_id": first_id,
                "low": low,
                "high": min(low + BATCH - 1, last_id),
                "customers": customers,
                "item": item.pk,
                "per_customer": INVOICES_PER_CUSTOMER,
            }
            for statement in STATEMENTS:
                cursor.execute(statement.format(**bases), params)
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"
            )
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would: index-only scans need it


# {table} is the table's highest id before the load. A customer's offset o counts from the
# first benchmark customer; its invoice k (1..10) is document number o * 10 + k, and every id
# derives from that number, so the statements need no joins to find each other's rows.
CUSTOMERS = """
    SELECT c.id AS customer_id, c.id - %(first_id)s AS o, c.company_id,
        co.abbreviation AS abbr, co.default_currency AS currency, ledger.account_id AS ledger,
        co.default_income_account_id AS income, bank.id AS bank
    FROM crm_customer c
    JOIN accounts_company co ON co.id = c.company_id
    JOIN crm_partyledger ledger ON ledger.customer_id = c.id AND ledger.company_id = c.company_id
    JOIN accounts_account bank ON bank.company_id = co.id AND bank.account_type = 'bank'
    WHERE c.id BETWEEN %(low)s AND %(high)s"""
INVOICES = f"""
    WITH customers AS ({CUSTOMERS}),
    numbered AS (
        SELECT customers.*, k, o * %(per_customer)s + k AS seq
        FROM customers CROSS JOIN generate_series(1, %(per_customer)s) AS k
    ),
    priced AS (
        SELECT numbered.*,
            ((mod(abs(hashtext('total' || seq)), 500) + 1) * 7.35)::numeric(18, 2) AS total,
            mod(k + o, 4) AS state,
            current_date - mod(abs(hashtext('date' || seq)), 240) AS posting_date
        FROM numbered
    ),
    invoices AS (
        SELECT priced.*,
            'SINV-' || abbr || '-B' || lpad(seq::text, 8, '0') AS number,
            CASE state WHEN 3 THEN total WHEN 2 THEN round(total / 2, 2) ELSE 0 END
                AS outstanding
        FROM priced
    )"""
PAYMENTS = f"""
    {INVOICES},
    payments AS (
        SELECT customer_id, o, company_id, abbr, ledger, bank,
            SUM(total - outstanding) AS allocated,
            CASE WHEN mod(o, 20) = 0 THEN 100 ELSE 0 END AS advance,
            current_date - 10 AS posting_date
        FROM invoices GROUP BY customer_id, o, company_id, abbr, ledger, bank
    )"""
INVOICE_JOURNAL = "{accounts_journalentry} + seq"
PAYMENT_JOURNAL = "{accounts_journalentry} + %(customers)s * %(per_customer)s + o + 1"

STATEMENTS = [
    f"""{INVOICES}
    INSERT INTO accounts_journalentry (id, posting_date, remark, voucher_type, voucher_number,
        created_at, company_id)
    SELECT {INVOICE_JOURNAL}, posting_date, 'Sales invoice ' || number, 'Sales Invoice', number,
        now(), company_id
    FROM invoices""",
    f"""{INVOICES}
    INSERT INTO accounts_glentry (id, debit, credit, remark, account_id, journal_id)
    SELECT {{accounts_glentry}} + 2 * seq - 1 + side, CASE side WHEN 0 THEN total ELSE 0 END,
        CASE side WHEN 1 THEN total ELSE 0 END, '',
        CASE side WHEN 0 THEN ledger ELSE income END, {INVOICE_JOURNAL}
    FROM invoices CROSS JOIN (VALUES (0), (1)) AS sides(side)""",
    f"""{INVOICES}
    INSERT INTO invoicing_salesinvoice (id, number, company_id, customer_id, posting_date,
        due_date, currency, commission_rate, docstatus, total, outstanding, journal_id,
        credit_override_note, due_date_note, price_list_source, created_at, updated_at)
    SELECT {{invoicing_salesinvoice}} + seq, number, company_id, customer_id, posting_date,
        posting_date + 30, currency, 0, 'submitted', total, outstanding, {INVOICE_JOURNAL}, '',
        '', 'none', now(), now()
    FROM invoices""",
    f"""{INVOICES}
    INSERT INTO invoicing_salesinvoiceline (id, invoice_id, item_id, quantity, rate, amount)
    SELECT {{invoicing_salesinvoiceline}} + seq, {{invoicing_salesinvoice}} + seq, %(item)s, 1,
        total, total
    FROM invoices""",
    f"""{PAYMENTS}
    INSERT INTO accounts_journalentry (id, posting_date, remark, voucher_type, voucher_number,
        created_at, company_id)
    SELECT {PAYMENT_JOURNAL}, posting_date, 'Payment', 'Payment',
        'PAY-' || abbr || '-B' || lpad(o::text, 8, '0'), now(), company_id
    FROM payments""",
    f"""{PAYMENTS}
    INSERT INTO accounts_glentry (id, debit, credit, remark, account_id, journal_id)
    SELECT {{accounts_glentry}} + 2 * %(customers)s * %(per_customer)s + 2 * o + 1 + side,
        CASE side WHEN 0 THEN allocated + advance ELSE 0 END,
        CASE side WHEN 1 THEN allocated + advance ELSE 0 END, '',
        CASE side WHEN 0 THEN bank ELSE ledger END, {PAYMENT_JOURNAL}
    FROM payments CROSS JOIN (VALUES (0), (1)) AS sides(side)""",
    f"""{PAYMENTS}
    INSERT INTO invoicing_payment (id, number, company_id, customer_id, posting_date, amount,
        unallocated, mode, paid_to_id, reference, docstatus, journal_id, created_at)
    SELECT {{invoicing_payment}} + o + 1, 'PAY-' || abbr || '-B' || lpad(o::text, 8, '0'),
        company_id, customer_id, posting_date, allocated + advance, advance, 'bank_transfer',
        bank, '', 'submitted', {PAYMENT_JOURNAL}, now()
    FROM payments""",
    f"""{INVOICES}
    INSERT INTO invoicing_paymentallocation (payment_id, invoice_id, amount, allocated_on,
        created_at)
    SELECT {{invoicing_payment}} + o + 1, {{invoicing_salesinvoice}} + seq, total - outstanding,
        current_date - 10, now()
    FROM invoices WHERE outstanding < total""",
]


# --- measuring ----------------------------------------------------------------------------


def measure(runs):
    company = (
        Company.objects.annotate(customer_count=Count("customers"))
        .order_by("-customer_count")
        .first()
    )
    today = timezone.localdate()
    customer = Customer.objects.filter(code__startswith="BENCH-", company=company).first()
    print(f"\n{'operation':<46} {'median ms':>10} {'queries':>8}  result")
    report("submit one invoice (credit check included)", *submit_times(customer, runs))
    report(
        "a customer's outstanding",
        *median_of(runs, lambda: customer_outstanding(customer=customer, company=company)),
    )
    rows = lambda: list(receivables.aging(company=company, as_of=today))  # noqa: E731
    times, queries, result = median_of(runs, rows)
    report(f"aging of {company.abbreviation}: all rows", times, queries, f"{len(result):,} rows")
    every = lambda: sum(  # noqa: E731
        len(list(receivables.aging(company=each, as_of=today))) for each in Company.objects.all()
    )
    times, queries, result = median_of(runs, every)
    report("aging of every company in turn: all rows", times, queries, f"{result:,} rows")
    totals = lambda: receivables.aging_totals(company=company, as_of=today)  # noqa: E731
    times, queries, result = median_of(runs, totals)
    report("aging totals", times, queries, f"total {result['total']:,.2f}")
    measure_pages(company, customer, runs)
    report_memory(company, today)


def submit_times(customer, runs):
    item = Item.objects.get(code="BENCH")
    times, queries = [], 0
    for _ in range(runs):
        invoice = create_draft_invoice(
            company=customer.company,
            customer=customer,
            posting_date=timezone.localdate(),
            lines=[(item, "1", "10")],
        )
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            submitted = submit_invoice(invoice=invoice, user=None)
            times.append(time.perf_counter() - start)
        queries = len(captured)
    return times, queries, submitted.number


def measure_pages(company, customer, runs):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("bench", password="bench"))
    invoice = SalesInvoice.objects.filter(customer=customer).first()
    aging = reverse("invoicing:aging")
    pages = [
        ("aging page, first page", aging, {"company": company.pk}),
        ("aging page, sorted by 90+", aging, {"company": company.pk, "sort": "-days_over_90"}),
        ("aging CSV, all rows", reverse("invoicing:aging_csv"), {"company": company.pk}),
        (
            "customer statement, this year",
            reverse("invoicing:statement", args=[customer.pk]),
            {"company": company.pk},
        ),
        (
            "customer detail with receivables",
            reverse("crm:customer_detail", args=[customer.pk]),
            {},
        ),
        ("invoice list, first page", reverse("invoicing:invoice_list"), {}),
        ("invoice list, overdue", reverse("invoicing:invoice_list"), {"status": "overdue"}),
        ("invoice detail", reverse("invoicing:invoice_detail", args=[invoice.pk]), {}),
        ("payment list, first page", reverse("invoicing:payment_list"), {}),
    ]
    for label, url, query in pages:
        report(label, *median_of(runs, lambda url=url, query=query: fetch(client, url, query)))


def fetch(client, url, query):
    response = client.get(url, query)
    assert response.status_code == 200, (url, query, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return f"{len(body) / 1024:,.0f} KiB"


def report_memory(company, today):
    tracemalloc.start()
    count = sum(1 for _ in receivables.aging(company=company, as_of=today).iterator(2000))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"peak Python memory iterating the {count:,} aging rows: {peak / 2**20:.1f} MiB")


def median_of(runs, action):
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = action()
            times.append(time.perf_counter() - start)
    return times, len(captured), result


def report(label, times, queries, result=""):
    print(f"{label:<46} {statistics.median(times) * 1000:>10.1f} {queries:>8}  {result}")


def timed(action):
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
