"""The ops app keeps no data of its own; this model exists to carry the
permission that opens the newsroom dashboard (and its entry in the admin)."""

from django.db import models


class Dashboard(models.Model):
    class Meta:
        managed = False  # no table: a permission holder only
        default_permissions = ()
        permissions = [("view_dashboard", "Can view the newsroom dashboard")]
        verbose_name = "newsroom dashboard"
        verbose_name_plural = "newsroom dashboard"

    def __str__(self):
        return "newsroom dashboard"
