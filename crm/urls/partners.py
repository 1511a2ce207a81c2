from django.urls import path

from crm.views import partners as views

urlpatterns = [
    path("sales-partners/", views.sales_partner_list, name="sales_partner_list"),
    path("sales-partners/new/", views.sales_partner_create, name="sales_partner_create"),
    path("sales-partners/<int:pk>/", views.sales_partner_detail, name="sales_partner_detail"),
    path("sales-partners/<int:pk>/edit/", views.sales_partner_update, name="sales_partner_update"),
    path(
        "sales-partners/<int:pk>/delete/", views.sales_partner_delete, name="sales_partner_delete"
    ),
]
