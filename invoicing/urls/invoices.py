"""Routes of the invoices pages."""

from django.urls import path

from invoicing.views import invoices as views

urlpatterns = [
    path("invoices/", views.invoice_list, name="invoice_list"),
    path(
        "invoices/export.<export_format:file_format>",
        views.invoice_export,
        name="invoice_export",
    ),
    path("invoices/new/", views.invoice_create, name="invoice_create"),
    path("invoices/new/customers/", views.invoice_customer_search, name="invoice_customer_search"),
    path(
        "invoices/new/defaults/",
        views.invoice_customer_defaults,
        name="invoice_customer_defaults",
    ),
    path("invoices/new/item-rate/", views.invoice_item_rate, name="invoice_item_rate"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/edit/", views.invoice_update, name="invoice_update"),
    path("invoices/<int:pk>/submit/", views.invoice_submit, name="invoice_submit"),
    path("invoices/<int:pk>/cancel/", views.invoice_cancel, name="invoice_cancel"),
    path("invoices/<int:pk>/delete/", views.invoice_delete, name="invoice_delete"),
]
