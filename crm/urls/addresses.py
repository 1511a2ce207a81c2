from django.urls import path

from crm.views import addresses as views

urlpatterns = [
    path("addresses/", views.address_list, name="address_list"),
    path(
        "addresses/export.<export_format:file_format>",
        views.address_export,
        name="address_export",
    ),
    path("addresses/new/", views.address_create, name="address_create"),
    path("addresses/<int:pk>/", views.address_detail, name="address_detail"),
    path("addresses/<int:pk>/edit/", views.address_update, name="address_update"),
    path("addresses/<int:pk>/delete/", views.address_delete, name="address_delete"),
    path("addresses/<int:pk>/link/", views.address_link, name="address_link"),
    path(
        "addresses/<int:pk>/links/<int:link_pk>/unlink/",
        views.address_unlink,
        name="address_unlink",
    ),
    path(
        "addresses/<int:pk>/links/<int:link_pk>/primary/<str:purpose>/",
        views.address_set_primary,
        name="address_set_primary",
    ),
]
