from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "dateline.newsletters"
    label = "newsletters"
    verbose_name = "Newsletters"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the e-mail service webhooks
