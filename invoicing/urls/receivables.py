"""Routes of the receivables pages."""

from django.urls import path

from invoicing.views import receivables as views

urlpatterns = [
    path("receivables/statement/<int:pk>/", views.statement, name="statement"),
    path("receivables/statement/<int:pk>/csv/", views.statement_csv, name="statement_csv"),
    path("receivables/aging/", views.aging, name="aging"),
    path("receivables/aging/csv/", views.aging_csv, name="aging_csv"),
    path("receivables/aging/xlsx/", views.aging_xlsx, name="aging_xlsx"),
]
