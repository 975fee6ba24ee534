from django.apps import AppConfig


class CommentsConfig(AppConfig):
    name = "dateline.comments"
    verbose_name = "Comments"
