"""Rows every installation has: the roots of the customer group and territory trees.

Used by a data migration (with historical models) and by tests that flush the database.
"""

TREE_ROOTS = {
    "CustomerGroup": (
        "All Customer Groups",
        ["Commercial", "Government", "Individual", "Non Profit"],
    ),
    "Territory": ("All Territories", ["Rest of the World"]),
    "SalesPerson": ("Sales Team", []),
}


def create_tree_roots(apps, schema_editor=None):
    for model_name, (root_name, leaves) in TREE_ROOTS.items():
        try:
            model = apps.get_model("crm", model_name)
        except LookupError:  # an earlier migration state, before the model existed
            continue
        root, _ = model.objects.get_or_create(
            name=root_name, defaults={"is_group": True, "parent": None}
        )
        for leaf in leaves:
            model.objects.get_or_create(name=leaf, defaults={"is_group": False, "parent": root})
