"""The admin's chart of revenue and active supporters by month, drawn as SVG on the
server (no script, no third-party service); the same numbers are in a table beside it."""

from decimal import Decimal
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 48, 16, 36


def _nice_ceiling(value: Decimal | int) -> Decimal:
    value = Decimal(value)
    if value <= 0:
        return Decimal(1)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def revenue_chart_svg(months, *, currency: str) -> str:
    """Bars: revenue in ``currency`` per month (left axis); line: active supporters
    (right axis). ``months``: selectors.MonthFigures, oldest first."""
    count = max(len(months), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    revenue = [m.revenue.get(currency, Decimal(0)) for m in months]
    active = [m.active_supporters for m in months]
    top_revenue = _nice_ceiling(max(revenue, default=0))
    top_active = _nice_ceiling(max(active, default=0))
    slot = plot_w / count
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="chart-title">',
        f'<title id="chart-title">Revenue ({escape(currency)}) and active supporters by month</title>',
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="#888"/>',
    ]
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h - plot_h * fraction
        parts.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" stroke="#e3e3e3"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#417690">'
            f"{escape(f'{top_revenue * Decimal(str(fraction)):,.0f}')}</text>"
        )
        parts.append(
            f'<text x="{LEFT + plot_w + 6}" y="{y + 4:.1f}" font-size="11" fill="#9b1c1c">'
            f"{int(top_active * Decimal(str(fraction)))}</text>"
        )
    points = []
    for i, month in enumerate(months):
        x = LEFT + slot * i
        bar_h = float(revenue[i] / top_revenue) * plot_h
        parts.append(
            f'<rect x="{x + slot * 0.15:.1f}" y="{TOP + plot_h - bar_h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{bar_h:.1f}" fill="#79aec8"><title>{escape(month.month.strftime("%b %Y"))}: '
            f"{revenue[i]:,.2f} {escape(currency)}</title></rect>"
        )
        parts.append(
            f'<text x="{x + slot / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'font-size="11" fill="#333">{escape(month.month.strftime("%b %y"))}</text>'
        )
        points.append(
            f"{x + slot / 2:.1f},{TOP + plot_h - float(Decimal(active[i]) / top_active) * plot_h:.1f}"
        )
    if points:
        parts.append(
            f'<polyline points="{" ".join(points)}" fill="none" stroke="#9b1c1c" stroke-width="2"/>'
        )
        for point, value in zip(points, active, strict=True):
            x, y = point.split(",")
            parts.append(
                f'<circle cx="{x}" cy="{y}" r="3" fill="#9b1c1c"><title>{value} active supporters</title></circle>'
            )
    parts.append("</svg>")
    return "".join(parts)
