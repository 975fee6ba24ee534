from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission, User
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class DashboardBrowserTests:
    def test_charts_render_under_the_csp(self, live_server, browser, publish, artifacts):
        """In Chromium the dashboard draws its charts with their legends and tables,
        and the Content-Security-Policy blocks nothing on the page."""
        for i in range(3):
            publish(f"Story {i}", section="missiles", hours_ago=2 + 30 * i)
        user = User.objects.create_user("chief", password="pw-chief-browser", is_staff=True)
        user.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
        port = urlsplit(live_server.url).port
        base = f"http://spacewar.localhost:{port}"

        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        problems = []
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.goto(f"{base}/admin/login/?next=/admin/ops/dashboard/")
        page.fill("#id_username", "chief")
        page.fill("#id_password", "pw-chief-browser")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.fill("#id_otp_token", f"{code:06d}")
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/ops/dashboard/")

        chart = page.locator("#chart-stories-by-site")
        assert chart.locator("svg[role=img] rect").count() == 3  # one bar segment a day
        box = chart.locator("svg[role=img]").bounding_box()
        assert box["width"] > 500 and box["height"] > 150
        legend = chart.locator(".dashboard-legend")
        assert legend.inner_text().strip() == "SpaceWar"
        assert legend.evaluate("e => getComputedStyle(e).display") == "flex"  # our stylesheet
        assert chart.locator("tfoot td").last.inner_text() == "3"
        assert not [p for p in problems if "Content Security Policy" in p], problems
        page.screenshot(path=str(artifacts / "newsroom-dashboard.png"), full_page=True)
