from django.db import migrations

from crm.bootstrap import create_tree_roots


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]

    operations = [migrations.RunPython(create_tree_roots, migrations.RunPython.noop)]
