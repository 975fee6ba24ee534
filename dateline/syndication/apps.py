from django.apps import AppConfig


class SyndicationConfig(AppConfig):
    name = "dateline.syndication"
    verbose_name = "Syndication: feeds, sitemaps, structured data"
