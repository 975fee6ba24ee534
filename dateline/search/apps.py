from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "dateline.search"
    verbose_name = "Search"
