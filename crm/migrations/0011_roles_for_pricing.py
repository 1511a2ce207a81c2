from django.db import migrations

from crm.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0010_customer_defaults"),
        ("pricing", "0002_item_price_windows_never_overlap"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
