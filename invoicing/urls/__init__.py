"""Invoicing's pages; each area keeps its routes in its own module below."""

from . import invoices, payments, receivables

app_name = "invoicing"

urlpatterns = [
    *invoices.urlpatterns,
    *payments.urlpatterns,
    *receivables.urlpatterns,
]
