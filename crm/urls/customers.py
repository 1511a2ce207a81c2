from django.urls import path

from crm.views import customers as views

urlpatterns = [
    path("customers/", views.customer_list, name="customer_list"),
    path(
        "customers/export.<export_format:file_format>",
        views.customer_export,
        name="customer_export",
    ),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
]
