import pytest

from dateline.wire.models import Source
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db
HOST = {"host": "spacewar.localhost"}


@pytest.fixture
def polled_source():
    return Source.objects.create(
        name="Press office", slug="press", delivery_method=Source.Method.POLL,
        feed_url="https://old.example/feed.xml", feed_etag='"v7"',
        feed_last_modified="Tue, 24 Nov 2026 09:00:00 GMT",
    )  # fmt: skip


def change(client, source, **fields):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_superuser("chief", "c@example.com", "pw")
    staff_login(client, user)
    data = {
        "name": source.name, "slug": source.slug, "is_active": "on", "format": "auto",
        "delivery_method": source.delivery_method, "feed_url": source.feed_url,
        "rights_newsletters": "on", **fields,
    }  # fmt: skip
    response = client.post(f"/admin/wire/source/{source.pk}/change/", data, headers=HOST)
    assert response.status_code == 302, response.content.decode()[:2000]
    source.refresh_from_db()
    return source


class SourceFormTests:
    def test_new_feed_url_forgets_the_old_validators(self, client, polled_source):
        """A feed URL changed in the admin is polled without the old URL's ETag and date."""
        source = change(client, polled_source, feed_url="https://new.example/feed.xml")
        assert source.feed_url == "https://new.example/feed.xml"
        assert (source.feed_etag, source.feed_last_modified) == ("", "")

    def test_same_feed_url_keeps_its_validators(self, client, polled_source):
        """Saving a source without changing its feed URL keeps the conditional GET's state."""
        source = change(client, polled_source, name="Press office (renamed)")
        assert source.feed_etag == '"v7"'
        assert source.feed_last_modified == "Tue, 24 Nov 2026 09:00:00 GMT"
