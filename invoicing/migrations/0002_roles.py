from django.db import migrations

from crm.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0001_initial"),
        ("crm", "0011_roles_for_pricing"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
