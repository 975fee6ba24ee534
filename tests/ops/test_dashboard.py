import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from dateline.network.models import Section
from dateline.ops import dashboard
from dateline.wire.models import Delivery, Source, WireItem
from tests.conftest import staff_login

URL = "/admin/ops/dashboard/"


def staff(username, *permissions):
    user = User.objects.create_user(username, password="pw-for-tests", is_staff=True)
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def day(days_ago: int, hour=12) -> datetime:
    today = timezone.now().astimezone(UTC).date()
    return datetime.combine(today - timedelta(days=days_ago), datetime.min.time(), UTC).replace(
        hour=hour
    )


def wire_items(source, count, received_at):
    for _ in range(count):
        n = WireItem.objects.count()
        delivery = Delivery.objects.create(
            source=source, sha256=f"{n:064d}", size=1, origin="test", status="accepted"
        )
        item = WireItem.objects.create(
            source=source, delivery=delivery, guid=f"{source.slug}-{n}", version=1,
            headline=f"Item {n}", cluster_key=f"{source.pk}:{n}", content_hash=str(n),
        )  # fmt: skip
        WireItem.objects.filter(pk=item.pk).update(received_at=received_at)


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def known_data(publish):
    """AFP: 3 items yesterday, 1 today; UPI: 2 items 3 days ago. Stories: two in
    Iraq Wars yesterday, one in Missiles today (also placed in Drones), one 20 days
    ago (outside a 14-day window)."""
    afp = Source.objects.create(name="AFP wire", slug="afp")
    upi = Source.objects.create(name="UPI wire", slug="upi")
    wire_items(afp, 3, day(1))
    wire_items(afp, 1, day(0, hour=0))
    wire_items(upi, 2, day(3))
    now = timezone.now()
    for headline, section, when, extra in [
        ("One", "iraq-wars", day(1, 9), ()),
        ("Two", "iraq-wars", day(1, 15), ()),
        ("Three", "missiles", min(now, day(0, 1)), ("drones",)),
        ("Old", "missiles", day(20), ()),
    ]:
        publish(
            headline, section, hours_ago=(now - when).total_seconds() / 3600, extra_sections=extra
        )


@pytest.mark.django_db
class DashboardFiguresTests:
    def test_wire_items_per_source_per_day(self, client, known_data):
        """The CSV of items per source per day holds exactly the known counts."""
        staff_login(client, staff("chief", "view_dashboard"))
        response = client.get(URL + "wire-items.csv?days=7")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv"
        assert response["Content-Disposition"].startswith('attachment; filename="wire-items-')
        rows = read_csv(response)
        days = [day(6 - i).date().isoformat() for i in range(7)]
        assert rows[0] == ["series", *days, "total"]
        assert rows[1] == ["AFP wire", "0", "0", "0", "0", "0", "3", "1", "4"]
        assert rows[2] == ["UPI wire", "0", "0", "0", "2", "0", "0", "0", "2"]
        assert rows[3] == ["total", "0", "0", "0", "2", "0", "3", "1", "6"]

    def test_stories_per_site_and_section_per_day(self, client, known_data):
        """Stories count on each section they are placed in, on their publication day;
        a story outside the period is left out."""
        staff_login(client, staff("chief", "view_dashboard"))
        rows = read_csv(client.get(URL + "stories-published.csv?days=14"))
        by_label = {row[0]: row[1:] for row in rows[1:]}
        assert by_label["SpaceWar / Iraq Wars"][-3:] == ["2", "0", "2"]
        assert by_label["SpaceWar / Missiles"][-3:] == ["0", "1", "1"]
        assert by_label["SpaceWar / Drones"][-3:] == ["0", "1", "1"]
        assert by_label["total"][-1] == "4"
        sites = read_csv(client.get(URL + "stories-by-site.csv?days=14"))
        assert sites[1][-3:] == ["2", "1", "3"]  # the story on two sections counts once

    def test_page_shows_each_chart_as_svg_with_table_and_csv_link(self, client, known_data):
        """The dashboard draws each chart as an SVG picture, its numbers in a table and
        a link to its CSV; the bars carry the figures."""
        staff_login(client, staff("chief", "view_dashboard"))
        response = client.get(URL)
        assert response.status_code == 200
        html = response.content.decode()
        for name in ("wire-items", "stories-by-site", "stories-published"):
            assert f'id="chart-{name}"' in html
            assert f"{URL}{name}.csv?days=14" in html
        from dateline.ops.dashboard import charts

        assert html.count('role="img" aria-labelledby="chart-') == len(charts())  # one SVG each
        assert "<title>AFP wire, " in html and ": 3 items</title>" in html
        assert "<td>4</td>" in html  # AFP's total in the table
        assert "style=" not in html.split('id="chart-wire-items"')[1].split("</section>")[0]

    def test_periods_and_bad_input(self, client, known_data):
        """A period outside 7/14/30/90 days gets a clear 400; an unknown chart a 404."""
        staff_login(client, staff("chief", "view_dashboard"))
        assert client.get(URL + "?days=30").status_code == 200
        bad = client.get(URL + "?days=100000")
        assert bad.status_code == 400 and b"days must be one of 7, 14, 30, 90" in bad.content
        assert client.get(URL + "wire-items.csv?days=-1").status_code == 400
        assert client.get(URL + "no-such-chart.csv").status_code == 404

    def test_labels_are_escaped_and_csv_formulas_defused(self, client, known_data):
        """A hostile section name is escaped in the SVG and table, and cannot run as a
        spreadsheet formula from the CSV."""
        Section.objects.filter(slug="iraq-wars").update(
            name='=HYPERLINK("http://evil.example")<script>x</script>'
        )
        staff_login(client, staff("chief", "view_dashboard"))
        html = client.get(URL).content.decode()
        assert "<script>x</script>" not in html and "&lt;script&gt;" in html
        rows = read_csv(client.get(URL + "stories-published.csv"))
        hostile = next(row for row in rows if "HYPERLINK" in row[0])
        assert hostile[0].startswith("SpaceWar / =HYPERLINK")  # prefixed by the site name
        Section.objects.filter(slug="iraq-wars").update(name="x")
        from dateline.network.models import Site

        Site.objects.filter(slug="spacewar").update(name="=cmd|' /C calc'!A0")
        rows = read_csv(client.get(URL + "stories-by-site.csv"))
        assert any(row[0] == "'=cmd|' /C calc'!A0" for row in rows)


@pytest.mark.django_db
class DashboardAccessTests:
    def test_needs_the_view_dashboard_permission(self, client):
        """Staff without ops.view_dashboard get 403 on the page and the CSV; the admin
        index lists the dashboard only for those who have it."""
        staff_login(client, staff("moderator"))
        assert client.get(URL).status_code == 403
        assert client.get(URL + "wire-items.csv").status_code == 403
        assert b"Newsroom dashboard" not in client.get("/admin/").content
        staff_login(client, staff("chief", "view_dashboard"))
        assert b"Newsroom dashboard" in client.get("/admin/").content

    def test_anonymous_is_sent_to_login(self, client):
        """Readers never see it: the admin login comes first."""
        response = client.get(URL)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


class ChartRegistryTests:
    def test_duplicate_name_is_refused(self):
        """Two charts cannot share a name; the error says which module has it."""
        with pytest.raises(ImproperlyConfigured, match="'wire-items' is already registered"):

            @dashboard.chart("wire-items", title="again", unit="items")
            def again(days):
                return {}

    def test_more_series_than_colours_are_grouped(self):
        """Beyond the palette, the smallest series are drawn together as "others"."""
        chart = dashboard.Chart("t", "T", "items", lambda days: {}, 0)
        days = dashboard.days_ending(datetime(2026, 11, 25).date(), 2)
        rows = [(f"s{i}", [i, 1]) for i in range(12)]
        figures = dashboard.Figures(chart, days, sorted(rows, key=lambda r: -sum(r[1])))
        legend = dashboard.legend(figures)
        assert len(legend) == len(dashboard.PALETTE)
        assert legend[-1] == ("5 others", dashboard.OTHER_COLOUR)
        assert figures.total == sum(range(12)) + 12
