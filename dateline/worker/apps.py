from django.apps import AppConfig


class WorkerConfig(AppConfig):
    name = "dateline.worker"
    verbose_name = "Background worker"
