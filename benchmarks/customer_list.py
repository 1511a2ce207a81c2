"""How fast the customer list and a customer's page are with 100,000 and 1,000,000 customers.

Run from the project root (PostgreSQL only: the rows are generated in SQL):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_customer_list \\
        .venv/bin/python benchmarks/customer_list.py [--sizes 100000 1000000] [--runs 5]

The database named in DATABASE_URL is DROPPED and recreated (its name must contain "bench").
It gets the demo data, then customers up to each size, each with a receivable ledger, a
primary contact with an email and a phone, a sales team member, and every tenth with a
posted sale. For each size it prints, per page, the median time of `--runs` requests through
Django's test client (the whole server side: middleware, queries, template) and the number
of SQL queries; then whether PostgreSQL answers the searches from the trigram indexes.
"""

import argparse
import os
import re
import statistics
import sys
import time

os.environ.setdefault("ALLOWED_HOSTS", "testserver")  # the test client's host name
# Importing `ledgers` sets Django up as that benchmark does, before any model is imported.
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from ledgers import recreate_database

from accounts.models import Company
from crm import demo, selectors
from crm.models import Customer, CustomerGroup, SalesPerson, Territory

BATCH = 100_000  # customers generated per INSERT ... SELECT
TABLES = [
    "crm_customer",
    "accounts_account",
    "crm_partyledger",
    "crm_contact",
    "crm_contactemail",
    "crm_contactphone",
    "crm_contactlink",
    "crm_salesteammember",
    "accounts_journalentry",
    "accounts_glentry",
]
RESULT_COUNT = re.compile(r'id="result-count">\s*([\d,]+) customer')
SEARCH_INDEXES = ["crm_customer_name_trgm", "crm_contactemail_email_trgm"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database whose name contains 'bench'.")

    recreate_database()
    demo.load_demo()
    client = Client()
    client.force_login(get_user_model().objects.create_superuser("bench", password="bench"))
    loaded = 0
    for size in sorted(args.sizes):
        seconds = timed(lambda size=size, loaded=loaded: load_customers(loaded + 1, size))
        print(f"\n== {Customer.objects.count():,} customers (loaded {size - loaded:,} in "
              f"{seconds:.0f} s)")  # fmt: skip
        loaded = size
        measure_pages(client, size, args.runs)
        check_search_plans(size)


# --- loading ------------------------------------------------------------------------------


def load_customers(first, last):
    """Customers numbered `first`..`last` with everything listed in the module docstring."""
    params = {
        "prefixes": demo.PREFIXES,
        "nouns": demo.NOUNS,
        "trades": demo.TRADES,
        "suffixes": demo.SUFFIXES,
        "first_names": demo.FIRST_NAMES,
        "last_names": demo.LAST_NAMES,
        "companies": list(Company.objects.values_list("pk", flat=True)),
        "groups": list(CustomerGroup.objects.leaves().values_list("pk", flat=True)),
        "territories": list(Territory.objects.leaves().values_list("pk", flat=True)),
        "people": list(SalesPerson.objects.leaves().values_list("pk", flat=True)),
    }
    for start in range(first, last + 1, BATCH):
        with transaction.atomic(), connection.cursor() as cursor:
            bases = {table: max_id(cursor, table) for table in TABLES}
            batch = {**params, "first": start, "last": min(start + BATCH - 1, last)}
            for statement in LOAD_STATEMENTS:
                cursor.execute(statement.format(**bases), batch)
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), MAX(id)) FROM {table}"
            )
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would: index-only scans need it


def max_id(cursor, table):
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
    return cursor.fetchone()[0]


# The statements are templates twice over: {table} is the table's highest id before the batch
# (str.format), %(name)s a query parameter. Row n of a batch gets id {table} + n - first + 1.


def new_id(table):
    return f"{{{table}}} + n - %(first)s + 1"


def pick(array, sql_type="text"):
    """SQL: an element of an array parameter, chosen by a hash of n and the array's name.

    Hashing keeps the columns independent of each other and of n: real sales people do not
    get the customers of one initial, and the name index order is not the order of n.
    """
    values = f"%({array})s::{sql_type}[]"
    return f"({values})[1 + mod(abs(hashtext('{array}' || n)::bigint), cardinality({values}))]"


NAME = (
    f"{pick('prefixes')} || {pick('nouns')} || ' ' || {pick('trades')} || ' ' || {pick('suffixes')}"
)
BATCH_ROWS = "generate_series(%(first)s, %(last)s) AS n"
WITH_CUSTOMER = f"""{BATCH_ROWS}
    JOIN crm_customer c ON c.id = {new_id("crm_customer")}
    JOIN accounts_company co ON co.id = c.company_id"""

LOAD_STATEMENTS = [
    f"""INSERT INTO crm_customer (id, code, name, customer_type, disabled, frozen, tax_id, website,
            notes, credit_days_rule, created_at, updated_at, company_id, customer_group_id,
            territory_id)
        SELECT {new_id("crm_customer")}, 'BENCH-' || lpad(n::text, 7, '0'), {NAME}, 'company',
            mod(n, 37) = 0, mod(n, 53) = 0, 'DE' || lpad(n::text, 9, '0'), '', '', '', now(),
            now(),
            {pick("companies", "bigint")}, {pick("groups", "bigint")},
            {pick("territories", "bigint")}
        FROM {BATCH_ROWS}""",
    f"""INSERT INTO accounts_account (id, name, number, is_group, root_type, account_type, frozen,
            company_id, parent_id)
        SELECT {new_id("accounts_account")}, c.name || ' (' || c.code || ') - ' || co.abbreviation,
            '', false, 'asset', 'receivable', false, co.id, co.receivable_group_id
        FROM {WITH_CUSTOMER}""",
    f"""INSERT INTO crm_partyledger (id, opened_at, account_id, company_id, customer_id)
        SELECT {new_id("crm_partyledger")}, now(), {new_id("accounts_account")}, c.company_id, c.id
        FROM {WITH_CUSTOMER}""",
    f"""INSERT INTO crm_contact (id, salutation, first_name, middle_name, last_name, designation,
            department, notes, created_at, updated_at)
        SELECT {new_id("crm_contact")}, '', {pick("first_names")}, '',
            {pick("last_names")}, 'Buyer', '', '', now(), now()
        FROM {BATCH_ROWS}""",
    f"""INSERT INTO crm_contactemail (id, email, is_primary, contact_id)
        SELECT {new_id("crm_contactemail")},
            'buyer' || n || '@' || lower(split_part(c.name, ' ', 1)) || '.example', true,
            {new_id("crm_contact")}
        FROM {WITH_CUSTOMER}""",
    f"""INSERT INTO crm_contactphone (id, number, is_primary, contact_id)
        SELECT {new_id("crm_contactphone")}, '+4930' || (1000000 + n), true, {new_id("crm_contact")}
        FROM {BATCH_ROWS}""",
    f"""INSERT INTO crm_contactlink (id, is_primary, contact_id, customer_id)
        SELECT {new_id("crm_contactlink")}, true, {new_id("crm_contact")}, {new_id("crm_customer")}
        FROM {BATCH_ROWS}""",
    f"""INSERT INTO crm_salesteammember (id, contribution, customer_id, sales_person_id)
        SELECT {new_id("crm_salesteammember")}, 100, {new_id("crm_customer")},
            {pick("people", "bigint")}
        FROM {BATCH_ROWS}""",
    f"""INSERT INTO accounts_journalentry (id, posting_date, remark, voucher_type, voucher_number,
            created_at, company_id)
        SELECT {new_id("accounts_journalentry")}, '2026-01-15', 'Bench sale', '', '', now(), co.id
        FROM {WITH_CUSTOMER}
        WHERE mod(n, 10) = 0""",
    f"""INSERT INTO accounts_glentry (id, debit, credit, remark, account_id, journal_id)
        SELECT {{accounts_glentry}} + 2 * (n - %(first)s) + side.line + 1,
            CASE side.line WHEN 0 THEN (mod(n, 997) + 1) * 10.25 ELSE 0 END,
            CASE side.line WHEN 1 THEN (mod(n, 997) + 1) * 10.25 ELSE 0 END, '',
            CASE side.line WHEN 0 THEN {new_id("accounts_account")} ELSE sales.id END,
            {new_id("accounts_journalentry")}
        FROM {WITH_CUSTOMER}
        JOIN accounts_account sales
            ON sales.company_id = co.id AND sales.name = 'Sales - ' || co.abbreviation
        CROSS JOIN (VALUES (0), (1)) AS side(line)
        WHERE mod(n, 10) = 0""",
]


# --- measuring ----------------------------------------------------------------------------


def measure_pages(client, size, runs):
    middle = Customer.objects.get(code=f"BENCH-{size // 2:07d}")
    email = middle.contact_links.get().contact.emails.get().email
    phone = middle.contact_links.get().contact.phones.get().number
    europe = Territory.objects.get(name="Europe")
    team = SalesPerson.objects.get(name="Europe Sales")
    person = team.children.order_by("name").first()
    detail = give_a_history(Customer.objects.get(code=f"BENCH-{size // 3:07d}"))
    list_url = reverse("crm:customer_list")
    pages = [
        ("list, first page", list_url, {}),
        ("search by name", list_url, {"q": middle.name.lower()}),
        ("search by email", list_url, {"q": email}),
        ("search by part of an email", list_url, {"q": email.split("@")[0]}),
        ("search by phone", list_url, {"q": f"{phone[:3]} {phone[3:5]} {phone[5:]}"}),
        ("search by code", list_url, {"q": middle.code.lower()}),
        ("territory Europe (group)", list_url, {"territory": europe.pk}),
        (f"sales person {person}", list_url, {"sales_person": person.pk}),
        (f"sales team {team} (group)", list_url, {"sales_person": team.pk}),
        ("sorted by territory, desc", list_url, {"sort": "-territory"}),
        ("list, page 100", list_url, {"page": 100}),
        ("customer detail", reverse("crm:customer_detail", args=[detail.pk]), {}),
    ]
    print(f"{'page':<34} {'median ms':>10} {'queries':>8} {'results':>10}")
    for label, url, query in pages:
        times, queries, response = request(client, url, query, runs)
        count = RESULT_COUNT.search(response.content.decode())
        results = count.group(1) if count else "-"
        print(f"{label:<34} {statistics.median(times) * 1000:>10.0f} {queries:>8} {results:>10}")


def give_a_history(customer):
    """Two saves, so that the detail page has changes to show."""
    for frozen in (True, False):
        customer.frozen = frozen
        customer.save()
    return customer


def request(client, url, query, runs):
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, query)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, query, response.status_code)
    return times, len(captured), response


def check_search_plans(size):
    middle = Customer.objects.get(code=f"BENCH-{size // 2:07d}")
    email = middle.contact_links.get().contact.emails.get().email
    for label, text in [("name", middle.name), ("email", email)]:
        plan = selectors.customer_list(q=text)[:50].explain()
        used = [index for index in SEARCH_INDEXES if index in plan] or ["no trigram index"]
        print(f"EXPLAIN search by {label}: uses {', '.join(used)}")


def timed(action):
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
