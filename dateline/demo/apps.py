from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "dateline.demo"
    verbose_name = "Demo content"
