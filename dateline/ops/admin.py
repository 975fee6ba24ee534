"""The newsroom dashboard, in the admin (Operations → Newsroom dashboard) for staff
with ops.view_dashboard: every registered chart as an SVG picture, its figures as
a table, and a CSV download."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.safestring import mark_safe

from . import dashboard
from .models import Dashboard

PERIODS = (7, 14, 30, 90)
DEFAULT_PERIOD = 14


def _period(request) -> int | None:
    raw = request.GET.get("days", str(DEFAULT_PERIOD))
    return int(raw) if raw.isdigit() and int(raw) in PERIODS else None


def _bad_period():
    return HttpResponseBadRequest(
        f"days must be one of {', '.join(map(str, PERIODS))}", content_type="text/plain"
    )


@admin.register(Dashboard)
class DashboardAdmin(admin.ModelAdmin):
    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm("ops.view_dashboard")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("", self.admin_site.admin_view(self.changelist_view), name="ops_dashboard"),
            path(
                "<slug:name>.csv",
                self.admin_site.admin_view(self.csv_view),
                name="ops_dashboard_csv",
            ),
        ]

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        period = _period(request)
        if period is None:
            return _bad_period()
        days = dashboard.days_ending(timezone.now().date(), period)
        panels = []
        for chart in dashboard.charts():
            figures = dashboard.figures(chart, days)
            panels.append(
                {
                    "chart": chart,
                    "figures": figures,
                    # Our own markup; every label in it is escaped (dashboard.svg).
                    "svg": mark_safe(dashboard.svg(figures)),  # noqa: S308
                    "legend": dashboard.legend(figures),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": "Newsroom dashboard",
            "opts": self.model._meta,
            "panels": panels,
            "period": period,
            "periods": PERIODS,
            "first_day": days[0],
            "last_day": days[-1],
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/ops/dashboard.html", context)

    def csv_view(self, request, name):
        if not self.has_view_permission(request):
            raise PermissionDenied
        chart = dashboard.chart_named(name)
        if chart is None:
            raise Http404(f"no chart named {name}")
        period = _period(request)
        if period is None:
            return _bad_period()
        days = dashboard.days_ending(timezone.now().date(), period)
        response = HttpResponse(
            dashboard.csv_text(dashboard.figures(chart, days)), content_type="text/csv"
        )
        filename = f"{chart.name}-{days[0]:%Y%m%d}-{days[-1]:%Y%m%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
