from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "dateline.network"
    verbose_name = "Network: sites, sections, agencies"
