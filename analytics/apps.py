from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = "Sales analytics"

    def ready(self):
        from . import receivers  # noqa: F401
