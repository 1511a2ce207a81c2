from django.db import migrations

from crm.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("analytics", "0001_targets"),
        ("invoicing", "0007_price_list_source_and_rate_permission"),
        ("pricing", "0003_price_list_purpose_message"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
