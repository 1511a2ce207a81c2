from django.db import migrations

ROOTS = {
    "CustomerGroup": (
        "All Customer Groups",
        ["Commercial", "Government", "Individual", "Non Profit"],
    ),
    "Territory": ("All Territories", ["Rest of the World"]),
}


def create_roots(apps, schema_editor):
    for model_name, (root_name, leaves) in ROOTS.items():
        model = apps.get_model("crm", model_name)
        root, _ = model.objects.get_or_create(
            name=root_name, defaults={"is_group": True, "parent": None}
        )
        for leaf in leaves:
            model.objects.get_or_create(name=leaf, defaults={"is_group": False, "parent": root})


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]

    operations = [migrations.RunPython(create_roots, migrations.RunPython.noop)]
