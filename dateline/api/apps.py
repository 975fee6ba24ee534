from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dateline.api"
    verbose_name = "Content API"
