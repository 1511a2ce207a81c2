from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from analytics import views as analytics_views

urlpatterns = [
    path("", analytics_views.dashboard, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("accounts.urls")),
    path("pricing/", include("pricing.urls")),
    path("", include("crm.urls")),
    path("", include("invoicing.urls")),
    path("import/", include("dataimport.urls")),
    path("reports/", include("analytics.urls")),
    path("admin/", admin.site.urls),
]
