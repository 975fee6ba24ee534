import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dateline.desk.models import DeskEntry
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor_client(client, make_staff):
    return staff_login(client, make_staff("ed", "editor"))


class DeskScreenTests:
    def test_pool_lists_items_newest_first_with_filters(self, editor_client, deliver, source):
        """The pool shows items newest first; status and text filters narrow it."""
        deliver("a", headline="Harbour drones tested")
        deliver("b", headline="Reactor restarts after checks")
        page = editor_client.get("/desk/").content.decode()
        assert page.index("Reactor restarts") < page.index("Harbour drones")
        assert "Harbour drones" not in editor_client.get("/desk/?q=reactor").content.decode()
        DeskEntry.objects.filter(guid="urn:afp.example:b").update(status="spiked")
        filtered = editor_client.get("/desk/?status=new").content.decode()
        assert "Harbour drones" in filtered and "Reactor restarts" not in filtered

    def test_updates_endpoint_returns_only_new_arrivals(self, editor_client, deliver):
        """The polled endpoint answers at once with what arrived after the cursor."""
        deliver("first", headline="First arrival")
        page = editor_client.get("/desk/").content.decode()
        cursor = page.split('data-cursor="', 1)[1].split('"', 1)[0]
        empty = editor_client.get(f"/desk/updates.json?after={cursor}").json()
        assert empty["count"] == 0 and empty["cursor"] == cursor
        deliver("second", headline="Second arrival")
        fresh = editor_client.get(f"/desk/updates.json?after={cursor}").json()
        assert fresh["count"] == 1 and "Second arrival" in fresh["rows"][0]
        assert fresh["cursor"] != cursor

    def test_bulk_spike(self, editor_client, deliver):
        """Several selected items are spiked in one action."""
        deliver("one")
        deliver("two")
        ids = list(DeskEntry.objects.values_list("id", flat=True))
        response = editor_client.post("/desk/bulk/", {"action": "spike", "ids": ids})
        assert response.status_code == 302
        assert set(DeskEntry.objects.values_list("status", flat=True)) == {"spiked"}

    def test_item_page_shows_the_sources_hints(self, editor_client, deliver, source):
        """The hints written for the desk on a source show on its items' pages."""
        source.desk_hints = "Embargoes from this feed are strict; check with the chief."
        source.save()
        deliver("h")
        entry = DeskEntry.objects.get()
        page = editor_client.get(f"/desk/item/{entry.pk}/")
        assert "Embargoes from this feed are strict; check with the chief." in page.text

    def test_publish_with_edits_from_the_item_page(self, editor_client, deliver, sections, client):
        """The item page publishes with the desk's headline to a chosen section."""
        deliver("p")
        entry = DeskEntry.objects.get()
        response = editor_client.post(
            f"/desk/item/{entry.pk}/publish/",
            {"sections": [str(sections["drones"].pk), ""], "headline": "Desk headline",
             "teaser": "", "body": "", "publish_at": ""},
        )  # fmt: skip
        assert response.status_code == 302
        entry.refresh_from_db()
        assert entry.story.headline == "Desk headline"
        assert editor_client.get(f"/desk/item/{entry.pk}/").status_code == 200

    def test_refusal_is_a_clear_message_not_an_error(self, editor_client, deliver):
        """Publishing without a section answers with the reason (JSON for the keys)."""
        deliver("n")
        entry = DeskEntry.objects.get()
        response = editor_client.post(
            f"/desk/item/{entry.pk}/publish/", {}, HTTP_ACCEPT="application/json"
        )
        assert response.status_code == 409
        assert "at least one section" in response.json()["message"]

    def test_next_cannot_leave_the_site(self, editor_client, deliver):
        """A form's next= pointing elsewhere is ignored (no open redirect)."""
        deliver("r")
        entry = DeskEntry.objects.get()
        response = editor_client.post(
            f"/desk/item/{entry.pk}/spike/", {"next": "https://evil.example/"}
        )
        assert response["Location"] == f"/desk/item/{entry.pk}/"


class LoginTests:
    def test_login_with_password_and_code_then_throttled_after_failures(self, client, make_staff):
        """A correct password and TOTP code sign in; after five failures the address
        and name are locked out, even with the right password."""
        user = make_staff("ed", "editor")
        device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

        def attempt(password):
            code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
            return client.post("/admin/login/", {"username": "ed", "password": password,
                                                  "otp_token": f"{code:06d}"})  # fmt: skip

        assert attempt("pw").status_code == 302
        assert client.get("/desk/").status_code == 200
        client.logout()
        without_code = client.post("/admin/login/", {"username": "ed", "password": "pw"})
        assert without_code.status_code == 200 and client.get("/desk/").status_code == 302
        for _ in range(5):
            assert attempt("wrong").status_code in (200, 429)
        locked = attempt("pw")
        assert locked.status_code == 429
        assert client.get("/desk/").status_code == 302


class ChangedRowsTests:
    def test_other_editors_changes_reach_an_open_screen(self, editor_client, deliver):
        """A poll returns rows changed since the screen last asked (another editor's
        spike), besides new arrivals."""
        from dateline.desk import services

        deliver("seen", headline="Already on screen")
        page = editor_client.get("/desk/").content.decode()
        cursor = page.split('data-cursor="', 1)[1].split('"', 1)[0]
        since = page.split('data-since="', 1)[1].split('"', 1)[0]
        quiet = editor_client.get("/desk/updates.json", {"after": cursor, "since": since}).json()
        assert quiet["changed"] == [] and quiet["count"] == 0
        services.entry_spike(entry=DeskEntry.objects.get())
        data = editor_client.get("/desk/updates.json", {"after": cursor, "since": since}).json()
        assert data["count"] == 0 and len(data["changed"]) == 1
        assert "status-spiked" in data["changed"][0]
