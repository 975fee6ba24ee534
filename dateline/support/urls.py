from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("", views.support_page, name="page"),
    path("checkout/", views.checkout, name="checkout"),
    path("return/<uuid:token>/", views.checkout_return, name="return"),
    path("thanks/<uuid:token>/", views.thanks, name="thanks"),
    path("cancelled/<uuid:token>/", views.cancelled, name="cancelled"),
    path("monthly/<str:token>/", views.stop_monthly, name="cancel"),
    path("webhooks/<slug:provider_name>/", views.webhook, name="webhook"),
]
