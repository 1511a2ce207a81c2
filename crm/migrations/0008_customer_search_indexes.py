"""Indexes for the customer search on PostgreSQL (other databases scan, which is fine there).

Django compiles `name__icontains` to `UPPER("crm_customer"."name"::text) LIKE UPPER(...)`
and `code__iexact` to `UPPER(...) = UPPER(...)`, so the indexes are on the same UPPER()
expressions: trigram GIN indexes for "contains", plain B-tree indexes for "equals".

They are built CONCURRENTLY (hence a non-atomic migration) so that adding them to a
database with a million customers does not block writes to those tables meanwhile.
"""

from django.db import migrations

INDEXES = {
    "crm_customer_name_trgm": "crm_customer USING gin (UPPER(name) gin_trgm_ops)",
    "crm_contactemail_email_trgm": "crm_contactemail USING gin (UPPER(email) gin_trgm_ops)",
    "crm_customer_code_upper": "crm_customer (UPPER(code))",
    "crm_customer_tax_id_upper": "crm_customer (UPPER(tax_id))",
}


def on_postgresql(schema_editor):
    return schema_editor.connection.vendor == "postgresql"


def create_search_indexes(apps, schema_editor):
    if not on_postgresql(schema_editor):
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {definition}")


def drop_search_indexes(apps, schema_editor):
    if not on_postgresql(schema_editor):
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("crm", "0007_roles_for_sales_people")]

    operations = [migrations.RunPython(create_search_indexes, drop_search_indexes)]
