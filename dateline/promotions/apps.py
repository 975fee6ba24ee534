from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "dateline.promotions"
    verbose_name = "Promotions"
