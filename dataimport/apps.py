from django.apps import AppConfig


class DataImportConfig(AppConfig):
    name = "dataimport"
    verbose_name = "Data import"
