"""The back-office roles and what each may do; data migrations apply it with `sync_roles`.

A later app that adds models adds its permissions here and a migration that calls
`sync_roles` again.
"""

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
READ = (VIEW,)
WRITE = (VIEW, ADD, CHANGE)
ALL = (VIEW, ADD, CHANGE, DELETE)
SET_RATE = "set_rate"  # invoicing.set_rate_salesinvoice: type a rate other than the list's
VIEW_REPORTS = "view_reports"  # analytics.view_reports_salestarget: the reports and dashboard

CONTACT_MODELS = [
    "contact",
    "contactemail",
    "contactphone",
    "contactlink",
    "address",
    "addresslink",
]

PRICING_MODELS = ["pricing.pricelist", "pricing.item", "pricing.itemprice"]

INVOICE_MODELS = [
    "invoicing.salesinvoice",
    "invoicing.salesinvoiceline",
    "invoicing.salesinvoiceteammember",
]

PAYMENT_MODELS = ["invoicing.payment", "invoicing.paymentallocation"]

TARGETS = "analytics.salestarget"
DISTRIBUTIONS = "analytics.monthlydistribution"

SALES_USER = {
    "crm.customer": WRITE,
    **dict.fromkeys(PRICING_MODELS, READ),
    "crm.salesteammember": ALL,
    "crm.salesperson": READ,
    "crm.salespartner": READ,
    **{f"crm.{model}": WRITE for model in CONTACT_MODELS},
    "crm.supplier": READ,
    "crm.customergroup": READ,
    "crm.territory": READ,
    "crm.partyledger": READ,
    "accounts.company": READ,
    **dict.fromkeys(INVOICE_MODELS, READ),
    **dict.fromkeys(PAYMENT_MODELS, READ),
}
SALES_MANAGER = {
    **SALES_USER,
    "crm.customer": ALL,
    **{f"crm.{model}": ALL for model in CONTACT_MODELS},
    "crm.supplier": WRITE,
    "crm.customergroup": ALL,
    "crm.territory": ALL,
    "crm.salesperson": ALL,
    "crm.salespartner": ALL,
    **dict.fromkeys(PRICING_MODELS, ALL),
    TARGETS: (*ALL, VIEW_REPORTS),
    DISTRIBUTIONS: ALL,
}
ACCOUNTS_USER = {
    "crm.customer": READ,
    **dict.fromkeys(PRICING_MODELS, READ),
    "crm.salesteammember": READ,
    "crm.salesperson": READ,
    "crm.salespartner": READ,
    **{f"crm.{model}": READ for model in CONTACT_MODELS},
    "crm.supplier": WRITE,
    "crm.customergroup": READ,
    "crm.territory": READ,
    "crm.partyledger": READ,
    "accounts.company": READ,
    "accounts.account": READ,
    "accounts.journalentry": (VIEW, ADD),
    "accounts.glentry": READ,
    **dict.fromkeys(INVOICE_MODELS, ALL),  # deleting is for drafts only
    "invoicing.salesinvoice": (*ALL, SET_RATE),
    **dict.fromkeys(PAYMENT_MODELS, WRITE),
    TARGETS: (VIEW, VIEW_REPORTS),
    DISTRIBUTIONS: READ,
}
ACCOUNTS_MANAGER = {
    **ACCOUNTS_USER,
    "crm.supplier": ALL,
    "accounts.company": WRITE,
    "accounts.account": ALL,
    "accounts.namingseries": WRITE,
    **dict.fromkeys(PRICING_MODELS, ALL),
    **dict.fromkeys(INVOICE_MODELS, ALL),
    "invoicing.salesinvoice": (*ALL, SET_RATE),
    **dict.fromkeys(PAYMENT_MODELS, ALL),
}
CREDIT_CONTROLLER = {
    **ACCOUNTS_USER,
    "crm.customer": (VIEW, CHANGE),
    **dict.fromkeys(INVOICE_MODELS, (VIEW, CHANGE)),
}

ROLES = {
    "Sales User": SALES_USER,
    "Sales Manager": SALES_MANAGER,
    "Accounts User": ACCOUNTS_USER,
    "Accounts Manager": ACCOUNTS_MANAGER,
    "Credit Controller": CREDIT_CONTROLLER,
}


def sync_roles(apps, schema_editor=None):
    """Create the role groups and give each exactly the permissions listed above."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        # Historical app configs have no models module; create_permissions skips those.
        original = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = original

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = [
            (model.split(".")[0], f"{action}_{model.split('.')[1]}")
            for model, actions in grants.items()
            for action in actions
        ]
        permissions = [
            permission
            for app_label, codename in wanted
            for permission in Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            )
        ]
        group.permissions.set(permissions)
