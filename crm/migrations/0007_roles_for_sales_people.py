from django.db import migrations

from crm.roles import sync_roles


class Migration(migrations.Migration):
    dependencies = [("crm", "0006_sales_people_and_partners")]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
