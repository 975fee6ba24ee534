from django.urls import path, register_converter

from . import views


class FourDigits:
    regex = r"\d{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{value:04d}"


class TwoDigits(FourDigits):
    regex = r"\d{2}"

    def to_url(self, value):
        return f"{value:02d}"


register_converter(FourDigits, "yyyy")
register_converter(TwoDigits, "mm")

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy, name="privacy"),
    path("archive/", views.archive_index, name="archive"),
    path("archive/<yyyy:year>/<mm:month>/", views.archive_month, name="archive-month"),
    path("archive/<yyyy:year>/<mm:month>/<mm:day>/", views.archive_day, name="archive-day"),
    path("<slug:section_slug>/", views.section_front, name="section"),
    path(
        "<slug:section_slug>/<yyyy:year>/<mm:month>/<mm:day>/<slug:slug>/",
        views.article,
        name="article",
    ),
]
