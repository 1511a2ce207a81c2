"""The sales reports and the dashboard at scale: 100,000 customers, 1,000,000 invoice lines.

Run from the project root (PostgreSQL only: the rows are generated in SQL):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_analytics \\
        .venv/bin/python benchmarks/reports.py [--customers 100000] [--runs 5] [--keep]

The database named in DATABASE_URL is DROPPED and recreated (its name must contain "bench"),
unless --keep measures the one a previous run loaded. It gets the demo data, `--customers`
customers and ten submitted invoices of one line each per customer over the last 240 days
with their journals and payments (as benchmarks/receivables.py loads them), then:

- the item costs 40 % of the mean rate, so that margins differ in sign;
- every invoice carries its customer's sales team; every third customer's team is split
  60/40 between two sales persons;
- every tenth invoice has a sales partner at 7.5 % commission;
- every territory and every sales person has a target for this year in each company;
- the customer group Commercial has a credit limit of 12,000, so that the dashboard's credit
  watch has customers to find.

Prints the median of `--runs` for each report function (every row it returns fetched) and
for each report page and the dashboard through the test client, with their query counts.
"""

import argparse
import os
import statistics
import sys

os.environ.setdefault("ALLOWED_HOSTS", "testserver")  # the test client's host name
# Importing `receivables` sets Django up (through `ledgers`), before any model is imported.
from customer_list import load_customers
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from ledgers import recreate_database
from receivables import fetch, load_receivables, median_of, timed

from accounts.models import Company
from analytics import reports
from analytics.reports import ReportFilters
from analytics.services import set_target
from analytics.summaries import rebuild_all
from crm import demo
from crm.models import CustomerGroup, SalesPerson, Territory
from invoicing.models import SalesInvoiceLine

ITEM_COST = 735  # the invoices' rates run from 7.35 to 3,675 (mean about 1,840)
PARTNER_EVERY = 10
SPLIT_EVERY = 3
GROUP_CREDIT_LIMIT = 12_000

EXTRA_STATEMENTS = [
    f"UPDATE pricing_item SET standard_cost = {ITEM_COST} WHERE code = 'BENCH'",
    f"""INSERT INTO invoicing_salesinvoiceteammember (invoice_id, sales_person_id, contribution)
    SELECT invoice.id, team.sales_person_id,
        CASE WHEN mod(invoice.customer_id, {SPLIT_EVERY}) = 0 THEN 60 ELSE 100 END
    FROM invoicing_salesinvoice invoice
    JOIN crm_salesteammember team ON team.customer_id = invoice.customer_id""",
    f"""INSERT INTO invoicing_salesinvoiceteammember (invoice_id, sales_person_id, contribution)
    SELECT invoice.id, (
        SELECT MIN(other.id) FROM crm_salesperson other
        WHERE NOT other.is_group AND other.id <> team.sales_person_id
    ), 40
    FROM invoicing_salesinvoice invoice
    JOIN crm_salesteammember team ON team.customer_id = invoice.customer_id
    WHERE mod(invoice.customer_id, {SPLIT_EVERY}) = 0""",
    f"""UPDATE invoicing_salesinvoice SET commission_rate = 7.5, sales_partner_id = (
        SELECT MIN(id) FROM crm_salespartner)
    WHERE mod(id, {PARTNER_EVERY}) = 0""",
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="measure the loaded database")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")
    if not args.keep:
        load(args.customers)
    measure(args.runs)


def load(customers):
    recreate_database()
    demo.load_demo()
    seconds = timed(lambda: load_customers(1, customers))
    print(f"loaded {customers:,} customers in {seconds:.0f} s")
    seconds = timed(load_receivables)
    print(f"loaded invoices, journals and payments in {seconds:.0f} s")
    seconds = timed(load_analytics)
    print(f"loaded sales teams, partners and targets in {seconds:.0f} s")
    print(f"{SalesInvoiceLine.objects.count():,} invoice lines")


def load_analytics():
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in EXTRA_STATEMENTS:
            cursor.execute(statement)
    CustomerGroup.objects.filter(name="Commercial").update(credit_limit=GROUP_CREDIT_LIMIT)
    year = timezone.localdate().year
    for company in Company.objects.all():
        for territory in Territory.objects.all():
            set_target(company=company, fiscal_year=year, territory=territory, amount=5_000_000)
        for person in SalesPerson.objects.all():
            set_target(company=company, fiscal_year=year, sales_person=person, amount=2_000_000)
    seconds = timed(rebuild_all)
    print(f"summed up the invoices for the reports in {seconds:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


# --- measuring ----------------------------------------------------------------------------


def measure(runs):
    company = (
        Company.objects.annotate(customer_count=Count("customers"))
        .order_by("-customer_count")
        .first()
    )
    today = timezone.localdate()
    year = ReportFilters(company, today.replace(month=1, day=1), today)
    europe = Territory.objects.filter(is_group=True, parent__isnull=False).first()
    in_europe = ReportFilters(company, year.date_from, year.date_to, territory=europe)
    print(f"\ncompany {company.name}, {year.date_from} to {year.date_to}")
    print(f"{'report':<58} {'median ms':>10} {'queries':>8}  result")
    functions = [
        ("profitability, first 50 by margin", lambda: first_rows(year, "-gross_margin")),
        ("profitability, first 50 least profitable", lambda: first_rows(year, "gross_margin")),
        ("profitability, first 50 by days to pay", lambda: first_rows(year, "-days_to_pay")),
        (f"profitability in {europe}, first 50", lambda: first_rows(in_europe, "-net_sales")),
        ("profitability totals", lambda: reports.profitability_totals(year)["customers"]),
        ("profitability, every row", lambda: len(list(reports.customer_profitability(year)))),
        ("sales by customer group", lambda: len(reports.sales_by_tree(CustomerGroup, year))),
        ("sales by territory", lambda: len(reports.sales_by_tree(Territory, year))),
        ("target vs achieved, territories", lambda: targets(Territory, year)),
        ("target vs achieved, sales persons", lambda: targets(SalesPerson, year)),
        ("sales partner commission", lambda: len(list(reports.partner_commission(year)))),
        ("dashboard: receivable and overdue", lambda: dashboard_part("receivables", today)),
        ("dashboard: top customers", lambda: dashboard_part("top", today)),
        ("dashboard: credit watch", lambda: dashboard_part("credit", today)),
        ("dashboard: sales against target", lambda: dashboard_part("target", today)),
    ]
    for label, action in functions:
        report(label, *median_of(runs, action))
    measure_pages(company, year, runs)


def first_rows(filters, order):
    return f"{len(list(reports.customer_profitability(filters, order=order)[:50]))} rows"


def targets(model, filters):
    rows = reports.targets_vs_achieved(model, filters)
    return f"{len(rows)} rows, {sum(row.achieved for row in rows):,.2f} achieved"


def dashboard_part(part, today):
    month = today.replace(day=1)
    actions = {
        "receivables": lambda: list(reports.receivables_by_company(today=today)),
        "top": lambda: list(reports.top_customers(date_from=month, date_to=today)),
        "credit": lambda: reports.credit_watch(),
        "target": lambda: reports.sales_against_target(month=month),
    }
    return f"{len(actions[part]())} rows"


def measure_pages(company, year, runs):
    client = Client()
    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    client.force_login(user)
    period = {
        "company": company.pk,
        "date_from": year.date_from.isoformat(),
        "date_to": year.date_to.isoformat(),
    }
    pages = [
        ("dashboard (home page)", reverse("home"), {}),
        ("profitability page", reverse("analytics:profitability"), period),
        (
            "profitability page, least profitable",
            reverse("analytics:profitability"),
            {**period, "sort": "gross_margin"},
        ),
        (
            "profitability CSV, every row",
            reverse("analytics:profitability_export", args=["csv"]),
            period,
        ),
        ("sales by customer group page", reverse("analytics:sales_by_group"), period),
        ("sales by territory page", reverse("analytics:sales_by_territory"), period),
        ("target vs achieved page, territories", reverse("analytics:territory_targets"), period),
        (
            "target vs achieved page, sales persons",
            reverse("analytics:sales_person_targets"),
            period,
        ),
        ("sales partner commission page", reverse("analytics:commission"), period),
    ]
    for label, url, query in pages:
        report(label, *median_of(runs, lambda url=url, query=query: fetch(client, url, query)))


def export_url(report, file_format):
    return reverse(f"analytics:{report}_export", args=[file_format])


def report(label, times, queries, result=""):
    print(f"{label:<58} {statistics.median(times) * 1000:>10.1f} {queries:>8}  {result}")


if __name__ == "__main__":
    main()
