from django.db import migrations

from crm.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [("crm", "0004_contacts_and_addresses")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
