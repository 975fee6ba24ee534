import json
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dateline.desk.models import DeskEntry
from dateline.desk.roles import roles_sync
from dateline.wire.models import Source
from dateline.wire.services import delivery_ingest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class DeskBrowserTests:
    def test_editor_signs_in_and_publishes_a_queued_item(
        self, live_server, browser, sections, agencies, artifacts
    ):
        """An editor signs in with password and TOTP code, publishes a queued wire item
        to a section from the desk, and the story is at its URL and on the front."""
        roles_sync()
        editor = get_user_model().objects.create_user("ed", "ed@example.com", "a-long-pass-phrase",
                                                      is_staff=True)  # fmt: skip
        editor.groups.add(Group.objects.get(name="editor"))
        device = TOTPDevice.objects.create(user=editor, name="phone", confirmed=True)
        source = Source.objects.create(name="AFP world", slug="afp", agency=agencies["AFP"])
        document = {
            "uri": "urn:afp.example:desk-browser", "type": "text", "version": "1",
            "pubstatus": "usable", "urgency": 3, "language": "en", "located": "Brest",
            "headline": "Navy orders a fleet of harbour patrol drones",
            "body_text": "The navy ordered forty patrol drones on Tuesday.\n\nDeliveries start in spring.",
        }  # fmt: skip
        delivery_ingest(source=source, data=json.dumps(document).encode(), origin="push")
        entry = DeskEntry.objects.get()
        base = f"http://spacewar.localhost:{urlsplit(live_server.url).port}"

        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/desk/")
        assert "/admin/login/" in page.url
        page.fill("#id_username", "ed")
        page.fill("#id_password", "a-long-pass-phrase")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.fill("#id_otp_token", f"{code:06d}")
        page.click("input[type=submit]")
        page.wait_for_url(f"{base}/desk/")

        row = page.locator(f'tr[data-id="{entry.pk}"]')
        assert "Navy orders a fleet of harbour patrol drones" in row.inner_text()
        row.locator("a.headline").click()
        page.select_option("#publish-section", str(sections["drones"].pk))
        page.click("#publish-button")
        page.wait_for_selector(".message.success")
        page.screenshot(path=str(artifacts / "desk-item-published.png"), full_page=True)

        entry.refresh_from_db()
        assert entry.status == "published"
        path = entry.story.placements.get().path
        article = page.goto(base + path)
        assert article.status == 200
        assert (
            page.locator(".story h1").inner_text() == "Navy orders a fleet of harbour patrol drones"
        )
        page.goto(f"{base}/drones/")
        assert page.locator(f'a[href="{path}"]').count() == 1
