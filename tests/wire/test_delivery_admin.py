import pytest
from django.contrib.auth import get_user_model

from dateline.wire.models import Delivery, Source
from dateline.wire.services import delivery_ingest
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def chief_client(client):
    user = get_user_model().objects.create_superuser("chief", "chief@example.com", "pw")
    return staff_login(client, user)


BOMB = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;&a;</x>'


class DeliveryAdminTests:
    def test_quarantine_list_shows_the_reason(self, chief_client):
        """The admin's list of quarantined deliveries says why each was refused."""
        source = Source.objects.create(name="AFP", slug="afp")
        delivery_ingest(source=source, data=BOMB, origin="inbox/afp/bomb.xml")
        response = chief_client.get("/admin/wire/delivery/?status__exact=quarantined")
        assert response.status_code == 200
        assert "inbox/afp/bomb.xml" in response.text and "declares XML entities" in response.text

    def test_raw_bytes_download_as_they_arrived(self, chief_client, client):
        """A delivery's page links to its bytes, served as a download exactly as kept,
        to staff only."""
        source = Source.objects.create(name="AFP", slug="afp")
        delivery_ingest(source=source, data=BOMB, origin="bomb.xml")
        delivery = Delivery.objects.get()
        page = chief_client.get(f"/admin/wire/delivery/{delivery.pk}/change/")
        assert f"/admin/wire/delivery/{delivery.pk}/raw/" in page.text
        raw = chief_client.get(f"/admin/wire/delivery/{delivery.pk}/raw/")
        assert raw.status_code == 200 and raw.content == BOMB
        assert raw["Content-Type"] == "application/octet-stream"
        assert raw["Content-Disposition"].startswith("attachment")
        chief_client.logout()
        assert chief_client.get(f"/admin/wire/delivery/{delivery.pk}/raw/").status_code == 302
