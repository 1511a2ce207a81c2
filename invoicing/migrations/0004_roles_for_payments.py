from django.db import migrations

from crm.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0003_payments")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
