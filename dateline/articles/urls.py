from django.urls import path, register_converter

from dateline.bake.middleware import cached_page

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

# Every public page here is stored by the page cache (dateline/bake/).
urlpatterns = [
    path("", cached_page(views.home), name="home"),
    path("privacy/", cached_page(views.privacy), name="privacy"),
    path("archive/", cached_page(views.archive_index), name="archive"),
    path("archive/<yyyy:year>/<mm:month>/", cached_page(views.archive_month), name="archive-month"),
    path(
        "archive/<yyyy:year>/<mm:month>/<mm:day>/",
        cached_page(views.archive_day),
        name="archive-day",
    ),
    path("<slug:section_slug>/", cached_page(views.section_front), name="section"),
    path(
        "<slug:section_slug>/<yyyy:year>/<mm:month>/<mm:day>/<slug:slug>/",
        cached_page(views.article),
        name="article",
    ),
]
