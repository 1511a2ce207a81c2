from django.urls import path

from crm.views import contacts as views

urlpatterns = [
    path("contacts/", views.contact_list, name="contact_list"),
    path(
        "contacts/export.<export_format:file_format>",
        views.contact_export,
        name="contact_export",
    ),
    path("contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact_detail"),
    path("contacts/<int:pk>/edit/", views.contact_update, name="contact_update"),
    path("contacts/<int:pk>/delete/", views.contact_delete, name="contact_delete"),
    path("contacts/<int:pk>/link/", views.contact_link, name="contact_link"),
    path(
        "contacts/<int:pk>/links/<int:link_pk>/unlink/", views.contact_unlink, name="contact_unlink"
    ),
    path(
        "contacts/<int:pk>/links/<int:link_pk>/primary/",
        views.contact_set_primary,
        name="contact_set_primary",
    ),
]
