from django.urls import path

from . import views

app_name = "promotions"

urlpatterns = [
    path("promo/<int:promotion_id>/click/", views.click, name="click"),
    path("promo/<int:promotion_id>/image/", views.image, name="image"),
    path("ads.txt", views.ads_txt, name="ads-txt"),
]
