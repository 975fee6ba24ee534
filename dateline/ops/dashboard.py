"""The newsroom dashboard's charts: a registry of small functions, and the SVG,
table and CSV made from what they return.

A chart is a function of the days to show returning its series, ``{label:
{day: count}}``, registered under a unique name::

    @chart("newsletters-sent", title="Newsletter issues sent per site per day", unit="issues")
    def newsletters_sent(days: list[date]) -> dict[str, dict[date, int]]:
        ...

Every installed app's ``charts`` module is imported to find them (like the
admin's autodiscover): the ops app's own are in ``dateline/ops/charts.py``; the
desk, newsletters and support apps add theirs in their own ``charts.py``."""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.utils.html import escape
from django.utils.module_loading import autodiscover_modules

Series = dict[str, dict[date, int]]

# Colour-blind-safe qualitative palette (Okabe & Ito, 2008), then a neutral for "other".
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000"]  # fmt: skip
OTHER_COLOUR = "#999999"


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    unit: str
    compute: Callable[[list[date]], Series]
    order: int


_REGISTRY: dict[str, Chart] = {}


def chart(name: str, *, title: str, unit: str, order: int = 100):
    """Register a chart function under ``name`` (a slug, used in URLs)."""

    def register(function):
        if name in _REGISTRY:
            raise ImproperlyConfigured(
                f"a dashboard chart named {name!r} is already registered "
                f"({_REGISTRY[name].compute.__module__}); choose another name"
            )
        _REGISTRY[name] = Chart(name, title, unit, function, order)
        return function

    return register


def charts() -> list[Chart]:
    autodiscover_modules("charts")
    return sorted(_REGISTRY.values(), key=lambda each: (each.order, each.name))


def chart_named(name: str) -> Chart | None:
    autodiscover_modules("charts")
    return _REGISTRY.get(name)


def window(days: list[date]) -> tuple[datetime, datetime]:
    """The UTC instants a chart's days cover: midnight of the first, midnight after the last."""
    start = datetime.combine(days[0], time.min, tzinfo=UTC)
    return start, datetime.combine(days[-1], time.min, tzinfo=UTC) + timedelta(days=1)


def days_ending(today: date, count: int) -> list[date]:
    return [today - timedelta(days=count - 1 - i) for i in range(count)]


@dataclass
class Figures:
    """A chart's numbers, day by day: one row per series, biggest total first."""

    chart: Chart
    days: list[date]
    rows: list[tuple[str, list[int]]]

    @property
    def day_totals(self) -> list[int]:
        return [sum(values[i] for _, values in self.rows) for i in range(len(self.days))]

    @property
    def rows_with_totals(self) -> list[tuple[str, list[int], int]]:
        return [(label, values, sum(values)) for label, values in self.rows]

    @property
    def total(self) -> int:
        return sum(self.day_totals)


def figures(chart: Chart, days: list[date]) -> Figures:
    series = chart.compute(days)
    rows = [(label, [int(by_day.get(day, 0)) for day in days]) for label, by_day in series.items()]
    rows.sort(key=lambda row: (-sum(row[1]), row[0]))
    return Figures(chart, days, rows)


def _plotted(rows):
    """At most one series per colour of the palette; the rest are summed as "others"."""
    limit = len(PALETTE)
    if len(rows) <= limit:
        return [(label, values, PALETTE[i]) for i, (label, values) in enumerate(rows)]
    head = [(label, values, PALETTE[i]) for i, (label, values) in enumerate(rows[: limit - 1])]
    rest = rows[limit - 1 :]
    other = [sum(values[i] for _, values in rest) for i in range(len(rest[0][1]))]
    return [*head, (f"{len(rest)} others", other, OTHER_COLOUR)]


def _nice_ceiling(value: int) -> tuple[int, int]:
    """A round top for the y axis and its tick step (1, 2 or 5 times a power of ten)."""
    if value <= 0:
        return 1, 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor * 4:
                tick = step * factor
                return tick * -(-value // tick), tick
        step *= 10


def svg(figures: Figures, *, width=760, height=280) -> str:
    """A stacked bar chart, one bar per day, as a standalone SVG element. Only
    presentation attributes (no style): the admin's CSP allows no inline style."""
    left, right, top, bottom = 44, 10, 10, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value, tick = _nice_ceiling(max(figures.day_totals, default=0))
    n = max(1, len(figures.days))
    slot = plot_w / n
    bar = max(1.0, slot * 0.7)
    title = escape(figures.chart.title)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="chart-{figures.chart.name}-title" '
        f'font-family="sans-serif" font-size="11">',
        f'<title id="chart-{figures.chart.name}-title">{title}</title>',
    ]
    for value in range(0, top_value + 1, tick):
        y = top + plot_h - plot_h * value / top_value
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#333">{value}</text>'
        )
    label_every = max(1, round(n / 10))
    plotted = _plotted(figures.rows)
    for i, day in enumerate(figures.days):
        x = left + slot * i + (slot - bar) / 2
        base = top + plot_h
        for label, values, colour in plotted:
            if not values[i]:
                continue
            h = plot_h * values[i] / top_value
            base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(label)}, {day:%b %d}: {values[i]} '
                f"{escape(figures.chart.unit)}</title></rect>"
            )
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{height - bottom + 14}" text-anchor="middle" '
                f'fill="#333">{day:%b %d}</text>'
            )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="#333"/></svg>'
    )
    return "".join(parts)


def legend(figures: Figures) -> list[tuple[str, str]]:
    return [(label, colour) for label, _, colour in _plotted(figures.rows)]


def _cell(text: str) -> str:
    # A label starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(figures: Figures) -> str:
    """One row per series, one column per day, and a total; a last row of totals."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["series", *(day.isoformat() for day in figures.days), "total"])
    for label, values, total in figures.rows_with_totals:
        writer.writerow([_cell(label), *values, total])
    writer.writerow(["total", *figures.day_totals, figures.total])
    return out.getvalue()
