"""The support app in the admin: personal data behind its own permission, read-only money
records, the monthly chart, and the appeal's editing."""

import re
from datetime import UTC, date, datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils import timezone

from dateline.support.models import AppealConfig, Contribution, Subscription, Supporter
from dateline.support.selectors import monthly_figures
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db
ADMIN_HOST = {"host": "spacewar.localhost"}


def staff(client, *codenames):
    user = get_user_model().objects.create_user("desk", "desk@example.com", "pw", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="support", codename__in=codenames)
    )
    staff_login(client, user)
    return client


@pytest.fixture
def gifts(war_site):
    ada = Supporter.objects.create(
        email="ada@example.org", name="Ada Giver", created_at=datetime(2026, 9, 2, tzinfo=UTC)
    )
    bob = Supporter.objects.create(
        email="bob@example.org", name="Bob Giver", created_at=datetime(2026, 10, 1, tzinfo=UTC)
    )
    monthly = Subscription.objects.create(
        supporter=bob, site=war_site, provider="paypal", provider_ref="I-1", amount_minor=500,
        currency="USD", status="active", status_at=datetime(2026, 10, 1, tzinfo=UTC),
        started_at=datetime(2026, 10, 1, tzinfo=UTC),
    )  # fmt: skip
    rows = [
        (ada, None, 2500, "2026-09-02"),
        (bob, monthly, 500, "2026-10-01"),
        (ada, None, 1000, "2026-10-15"),
        (bob, monthly, 500, "2026-11-01"),
    ]
    for i, (supporter, subscription, amount, day) in enumerate(rows):
        Contribution.objects.create(
            supporter=supporter, site=war_site, subscription=subscription, provider="stripe" if subscription is None else "paypal",
            provider_ref=f"pay-{i}", frequency="monthly" if subscription else "once", amount_minor=amount,
            currency="USD", received_at=datetime.fromisoformat(day + "T12:00:00+00:00"), receipt_number=f"R-{i}",
        )  # fmt: skip
    return ada, bob


class PersonalDataTests:
    def test_addresses_hidden_without_the_permission(self, client, gifts):
        """Staff who may view supporters see masked addresses and no names."""
        staff(client, "view_supporter", "view_contribution")
        html = client.get("/admin/support/supporter/", headers=ADMIN_HOST).content.decode()
        assert (
            "a***@example.org" in html and "ada@example.org" not in html and "Ada Giver" not in html
        )
        page = client.get("/admin/support/contribution/", headers=ADMIN_HOST).content.decode()
        assert "bob@example.org" not in page

    def test_supporter_page_masks_without_the_permission(self, client, gifts):
        """A supporter's own page shows the masked address and no name without the
        permission, and both with it."""
        ada, _ = gifts
        staff(client, "view_supporter", "view_contribution")
        html = client.get(
            f"/admin/support/supporter/{ada.pk}/change/", headers=ADMIN_HOST
        ).content.decode()
        assert (
            "a***@example.org" in html and "ada@example.org" not in html and "Ada Giver" not in html
        )
        assert "R-0" in html  # the gifts are listed

    def test_addresses_shown_with_the_permission(self, client, gifts):
        """With view_supporter_personal_data the names and addresses show."""
        staff(client, "view_supporter", "view_supporter_personal_data")
        html = client.get("/admin/support/supporter/", headers=ADMIN_HOST).content.decode()
        assert "ada@example.org" in html and "Ada Giver" in html

    def test_money_records_are_read_only(self, client, gifts):
        """Contributions cannot be added or edited by hand, even by a superuser."""
        user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
        staff_login(client, user)
        assert client.get("/admin/support/contribution/add/", headers=ADMIN_HOST).status_code == 403
        gift = Contribution.objects.first()
        response = client.post(
            f"/admin/support/contribution/{gift.pk}/change/",
            {"amount_minor": 1},
            headers=ADMIN_HOST,
        )
        assert response.status_code == 403
        gift.refresh_from_db()
        assert gift.amount_minor != 1

    def test_no_permission_no_access(self, client, gifts):
        """Staff without support permissions cannot open supporters or the chart."""
        staff(client)
        assert client.get("/admin/support/supporter/", headers=ADMIN_HOST).status_code == 403
        assert (
            client.get("/admin/support/contribution/chart/", headers=ADMIN_HOST).status_code == 403
        )


class ChartTests:
    def test_chart_and_table_by_month(self, client, war_site):
        """The chart page draws an SVG (no script) and lists each month's revenue and
        active supporters in a table."""
        now = timezone.now()
        reader = Supporter.objects.create(email="c@example.org", created_at=now)
        for i, amount in enumerate((1000, 250)):
            Contribution.objects.create(
                supporter=reader, site=war_site, provider="stripe", provider_ref=f"p{i}",
                frequency="once", amount_minor=amount, currency="USD", received_at=now,
                receipt_number=f"R-{i}",
            )  # fmt: skip
        staff(client, "view_contribution")
        response = client.get("/admin/support/contribution/chart/", headers=ADMIN_HOST)
        assert response.status_code == 200
        html = response.content.decode()
        start = html.index('<svg xmlns="http://www.w3.org/2000/svg" viewBox')
        svg = html[start : html.index("</svg>", start)]
        assert "<script" not in svg and " style=" not in svg
        assert svg.count("<rect") == 12
        rows = re.findall(
            r'<th scope="row">(\w{3} \d{4})</th><td>([^<]*)</td><td>(\d+)</td><td>(\d+)</td>', html
        )
        assert len(rows) == 12
        assert rows[-1] == (now.strftime("%b %Y"), "12.50", "2", "1")

    def test_monthly_figures(self, gifts):
        """Revenue per currency and supporters who gave, month by month."""
        figures = {m.month: m for m in monthly_figures(months=4, today=date(2026, 11, 20))}
        assert list(figures) == [
            date(2026, 8, 1),
            date(2026, 9, 1),
            date(2026, 10, 1),
            date(2026, 11, 1),
        ]
        assert figures[date(2026, 8, 1)].contributions == 0
        assert str(figures[date(2026, 9, 1)].revenue["USD"]) == "25.00"
        assert str(figures[date(2026, 10, 1)].revenue["USD"]) == "15.00"
        assert figures[date(2026, 10, 1)].active_supporters == 2
        assert figures[date(2026, 11, 1)].active_supporters == 1


class AppealAdminTests:
    def test_appeal_edit_refreshes_the_pages(
        self, client, fetch, war_site, appeal, stripe_standin, django_capture_on_commit_callbacks
    ):
        """Saving the appeal in the admin shows on the sites at once (the cache is cleared)."""
        assert "Keep the wire free" in fetch("/support/").content.decode()
        staff(client, "change_appealconfig", "view_appealconfig")
        form = {
            "network": appeal.network_id, "site": "", "heading": "New heading", "text": appeal.text,
            "thank_you_text": "", "currency": "USD", "preset_amounts": "5, 10", "min_amount": "2",
            "max_amount": "100", "allow_once": "true", "allow_monthly": "true",
        }  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/admin/support/appealconfig/{appeal.pk}/change/", form, headers=ADMIN_HOST
            )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert "New heading" in fetch("/support/").content.decode()

    def test_bad_presets_are_refused(self, client, war_site, appeal):
        """Preset amounts that are not numbers are refused with a message."""
        staff(client, "change_appealconfig", "view_appealconfig")
        form = {"network": appeal.network_id, "site": "", "preset_amounts": "five, ten", "currency": "USD",
                "allow_once": "unknown", "allow_monthly": "unknown"}  # fmt: skip
        response = client.post(
            f"/admin/support/appealconfig/{appeal.pk}/change/", form, headers=ADMIN_HOST
        )
        assert response.status_code == 200 and "separated by commas" in response.content.decode()
        assert AppealConfig.objects.get().preset_amounts == "5, 10, 25"
