"""The reports (each a page and a CSV/XLSX download) and the targets of a territory or sales
person, under /reports/."""

from django.urls import path

from . import views

app_name = "analytics"

urlpatterns = [
    path("targets/<slug:kind>/<int:pk>/", views.node_targets, name="tree_targets"),
]
for slug, report in views.REPORTS.items():
    route = slug.replace("_", "-")
    urlpatterns += [
        path(f"{route}/", views.report_page, {"report": report}, name=slug),
        path(
            f"{route}.<export_format:file_format>",
            views.report_download,
            {"report": report},
            name=f"{slug}_export",
        ),
    ]
