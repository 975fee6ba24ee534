from django.apps import AppConfig


class BakeConfig(AppConfig):
    name = "dateline.bake"
    verbose_name = "Bake: the page cache and static output"
