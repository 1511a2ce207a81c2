"""The import pages."""

from django.urls import path

import config.exporting  # noqa: F401 (registers the export_format converter)

from . import views

app_name = "dataimport"

urlpatterns = [
    path("", views.start, name="start"),
    path("template/", views.template, name="template"),
    path(
        "<slug:target>/export.<export_format:file_format>",
        views.export_existing,
        name="export_existing",
    ),
    path("history/", views.history, name="history"),
    path("<int:pk>/", views.log_detail, name="log"),
    path("<int:pk>/invalid-rows.csv", views.invalid_rows, name="log_invalid_rows"),
]
