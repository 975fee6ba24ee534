import hashlib
import hmac
from pathlib import Path

import pytest

from dateline.wire.models import Delivery, Source, WireItem
from dateline.wire.storage import raw_read
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "s3cret-shared-with-the-agency"


@pytest.fixture
def push_source():
    return Source.objects.create(
        name="AFP push", slug="afp-push", delivery_method=Source.Method.PUSH, push_secret=SECRET
    )


def sign(body: bytes, secret=SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(client, body, **headers):
    return client.post(
        "/wire/push/afp-push/", body, content_type="application/xml",
        headers={"host": "spacewar.localhost", **headers},
    )  # fmt: skip


class PushTests:
    def test_signed_push_is_accepted(self, client, push_source, django_capture_on_commit_callbacks):
        """A signed push answers 202 with the delivery's id; the bytes are kept and the
        parsing is queued for the worker."""
        body = (FIXTURES / "newsml_g2/afp_text_nitf_v1.xml").read_bytes()
        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, body, **{"X-Dateline-Signature": sign(body)})
        assert response.status_code == 202
        data = response.json()
        delivery = Delivery.objects.get()
        assert data == {"delivery": delivery.pk, "status": "pending"}
        assert raw_read(delivery.sha256) == body
        from django_tasks_db.models import DBTaskResult

        queued = DBTaskResult.objects.filter(task_path="dateline.wire.tasks.delivery_process")
        assert queued.count() == 1 and queued.get().task_result.args == [delivery.pk]
        with django_capture_on_commit_callbacks(execute=True):
            again = post(client, body, **{"X-Dateline-Signature": sign(body)})
        assert again.json() == {"delivery": delivery.pk, "status": "duplicate"}

    def test_bearer_token_is_accepted(self, client, push_source):
        """The secret may come as a bearer token instead of a signature."""
        body = (FIXTURES / "ninjs/ninjs_1x.json").read_bytes()
        response = post(client, body, Authorization=f"Bearer {SECRET}")
        assert response.status_code == 202

    @pytest.mark.parametrize(
        "headers",
        [
            {},
            {"X-Dateline-Signature": "sha256=" + "0" * 64},
            {"Authorization": "Bearer wrong"},
            {"X-Dateline-Signature": "md5=abc"},
        ],
    )
    def test_bad_secret_refused_and_nothing_recorded(self, client, push_source, headers):
        """A push without the right secret is refused (401) and records nothing."""
        body = (FIXTURES / "ninjs/ninjs_1x.json").read_bytes()
        response = post(client, body, **headers)
        assert response.status_code == 401
        assert not Delivery.objects.exists() and not WireItem.objects.exists()

    def test_signature_of_other_body_refused(self, client, push_source):
        """A signature made for other bytes does not let a tampered body in."""
        body = (FIXTURES / "ninjs/ninjs_1x.json").read_bytes()
        response = post(client, body + b" ", **{"X-Dateline-Signature": sign(body)})
        assert response.status_code == 401

    def test_oversized_refused_before_reading(self, client, push_source, settings):
        """A body over the limit is refused with 413."""
        settings.DATELINE_WIRE_MAX_BYTES = 100
        body = b"<x>" + b"a" * 500 + b"</x>"
        response = post(client, body, **{"X-Dateline-Signature": sign(body)})
        assert response.status_code == 413 and not Delivery.objects.exists()

    def test_a_body_without_length_is_refused_not_lost(self, client, push_source):
        """A chunked push (no Content-Length, which some WSGI servers then hand to Django as
        an empty body) gets 411 instead of a 202 for bytes that were never read; an empty
        push gets 400. Neither records a delivery."""
        body = (FIXTURES / "ninjs/ninjs_1x.json").read_bytes()
        chunked = client.post(
            "/wire/push/afp-push/", body, content_type="application/json",
            headers={"host": "spacewar.localhost", "Authorization": f"Bearer {SECRET}"},
            CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked",
        )  # fmt: skip
        assert chunked.status_code == 411 and "Content-Length" in chunked.json()["error"]
        empty = client.post(
            "/wire/push/afp-push/", b"", content_type="application/xml",
            headers={"host": "spacewar.localhost", "Authorization": f"Bearer {SECRET}"},
            CONTENT_LENGTH="0",
        )  # fmt: skip
        assert empty.status_code == 400 and empty.json()["error"].startswith("empty body")
        assert not Delivery.objects.exists()

    def test_bad_content_quarantined(self, client, push_source):
        """A correctly signed but unreadable push is kept and quarantined with the reason."""
        from dateline.wire.tasks import delivery_process

        body = (FIXTURES / "illformed/billion_laughs.xml").read_bytes()
        response = post(client, body, **{"X-Dateline-Signature": sign(body)})
        assert response.status_code == 202
        [result] = delivery_process.call(response.json()["delivery"])
        assert result["status"] == "quarantined"
        delivery = Delivery.objects.get()
        assert delivery.status == "quarantined" and "entities" in delivery.reason

    def test_unknown_or_non_push_source(self, client):
        """Pushing to a source that does not take pushes answers 401, even with its secret."""
        Source.objects.create(name="Manual", slug="afp-push", push_secret=SECRET)
        body = b"{}"
        assert post(client, body, **{"X-Dateline-Signature": sign(body)}).status_code == 401
        assert not Delivery.objects.exists()

    @pytest.mark.parametrize(
        ("length", "status"),
        [(None, 401), ("", 411), ("0", 400), (str(10**9), 413)],
        ids=["body", "chunked", "empty", "oversized"],
    )
    def test_unknown_source_answers_as_a_wrong_secret(self, client, push_source, length, status):
        """An unknown source name is answered as a known one with a wrong secret, whatever the body."""
        body = b"{}"
        extra = {} if length is None else {"CONTENT_LENGTH": length}
        headers = {"host": "spacewar.localhost", "Authorization": "Bearer wrong"}
        known, unknown = (
            (answer.status_code, answer.content, answer.get("WWW-Authenticate"))
            for answer in (
                client.post(
                    f"/wire/push/{slug}/", body, "application/json", headers=headers, **extra
                )
                for slug in ("afp-push", "no-such-source")
            )
        )
        assert known == unknown and known[0] == status

    def test_get_not_allowed(self, client, push_source):
        """Only POST is accepted."""
        assert (
            client.get("/wire/push/afp-push/", headers={"host": "spacewar.localhost"}).status_code
            == 405
        )

    def test_secret_stored_encrypted(self, push_source):
        """The push secret is stored encrypted, and read back in clear."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT push_secret FROM wire_source WHERE id = %s", [push_source.pk])
            stored = cursor.fetchone()[0]
        assert SECRET not in stored and stored.startswith("gAAAA")
        assert Source.objects.get(pk=push_source.pk).push_secret == SECRET


@pytest.mark.django_db
def test_source_admin_keeps_secrets_write_only(client):
    """The source admin never shows a secret, and an empty field keeps the stored one."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("chief", "c@example.com", "pw")
    staff_login(client, user)
    source = Source.objects.create(
        name="AFP", slug="afp", delivery_method="push", push_secret=SECRET
    )
    page = client.get(
        f"/admin/wire/source/{source.pk}/change/", headers={"host": "spacewar.localhost"}
    )
    assert page.status_code == 200 and SECRET not in page.content.decode()
    data = {
        "name": "AFP", "slug": "afp", "is_active": "on", "format": "auto", "delivery_method": "push",
        "new_push_secret": "", "new_credentials": "", "rights_newsletters": "on",
    }  # fmt: skip
    response = client.post(
        f"/admin/wire/source/{source.pk}/change/", data, headers={"host": "spacewar.localhost"}
    )
    assert response.status_code == 302
    assert Source.objects.get(pk=source.pk).push_secret == SECRET
    data["new_push_secret"] = "rotated"
    client.post(
        f"/admin/wire/source/{source.pk}/change/", data, headers={"host": "spacewar.localhost"}
    )
    assert Source.objects.get(pk=source.pk).push_secret == "rotated"
