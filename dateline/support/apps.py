from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "dateline.support"
    verbose_name = "Reader support"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (registers the system check)
