from django.db import migrations

CONSTRAINT = "item_price_windows_never_overlap"


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # elsewhere the pricing services check overlaps under a lock
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"""
        ALTER TABLE pricing_itemprice ADD CONSTRAINT {CONSTRAINT}
        EXCLUDE USING gist (
            price_list_id WITH =,
            item_id WITH =,
            daterange(
                COALESCE(valid_from, '-infinity'::date),
                COALESCE(valid_upto, 'infinity'::date),
                '[]'
            ) WITH &&
        )
        """
    )


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE pricing_itemprice DROP CONSTRAINT IF EXISTS {CONSTRAINT}"
        )


class Migration(migrations.Migration):
    dependencies = [("pricing", "0001_initial")]

    operations = [migrations.RunPython(add_exclusion, drop_exclusion)]
