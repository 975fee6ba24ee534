from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("", views.pool, name="pool"),
    path("updates.json", views.pool_updates, name="updates"),
    path("bulk/", views.bulk, name="bulk"),
    path("item/<int:entry_id>/", views.item, name="item"),
    path("item/<int:entry_id>/publish/", views.publish, name="publish"),
    path("item/<int:entry_id>/spike/", views.spike, name="spike"),
    path("item/<int:entry_id>/edit/", views.edit, name="edit"),
    path("item/<int:entry_id>/update/", views.update, name="update"),
    path("item/<int:entry_id>/choose/", views.choose, name="choose"),
    path("item/<int:entry_id>/withdraw/", views.withdraw, name="withdraw"),
    path("item/<int:entry_id>/pin/", views.pin, name="pin"),
]
