from django.urls import path

from crm.views import customer_forms as views

urlpatterns = [
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:pk>/edit/", views.customer_update, name="customer_update"),
    path("customers/<int:pk>/delete/", views.customer_delete, name="customer_delete"),
    path("customers/<int:pk>/sales-team/", views.customer_sales_team, name="customer_sales_team"),
]
