from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("chart/", views.chart_of_accounts, name="chart"),
    path("chart/<int:company_id>/", views.chart_of_accounts, name="chart"),
]
