from django.apps import AppConfig

RECEIVABLES_PANEL = "invoicing/receivables/customer_panel.html"


class InvoicingConfig(AppConfig):
    name = "invoicing"
    verbose_name = "Invoicing"

    def ready(self):
        from crm.panels import register_customer_panel

        from .views.receivables import customer_panel

        register_customer_panel(RECEIVABLES_PANEL, customer_panel, order=10)
