from datetime import date

import pytest

from dateline.ops.dashboard import chart_named, figures
from tests.support.test_admin import gifts  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def totals(name, days):
    return {label: total for label, _, total in figures(chart_named(name), days).rows_with_totals}


class SupportChartTests:
    def test_dashboard_figures_from_known_gifts(self, gifts):  # noqa: F811
        """Contributions, revenue and active monthly supporters come out of known records."""
        october = [date(2026, 10, d) for d in range(1, 32)]
        assert totals("contributions", october) == {"monthly": 1, "once": 1}
        assert totals("revenue", october) == {"USD": 15}
        supporters = figures(chart_named("supporters"), [date(2026, 9, 30), date(2026, 10, 1)])
        assert supporters.rows == [("active monthly supporters", [0, 1])]
