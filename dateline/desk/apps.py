from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class DeskConfig(AppConfig):
    name = "dateline.desk"
    label = "desk"
    verbose_name = "Desk"

    def ready(self):
        post_migrate.connect(_roles_sync_last, dispatch_uid="dateline.desk.roles")


def _roles_sync_last(sender, **kwargs):
    # post_migrate fires once per app; sync the role groups once, after the last
    # app's permissions exist (Django creates those on post_migrate as well).
    if sender.label == list(apps.get_app_configs())[-1].label:
        from .roles import roles_sync

        roles_sync()
