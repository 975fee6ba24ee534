"""Desk fixtures: a wire source and items delivered as ninjs 2.x documents, through
the real ingest (so the desk is fed exactly as in production)."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from dateline.desk.roles import roles_sync
from dateline.wire.models import Source
from dateline.wire.services import delivery_ingest


@pytest.fixture
def source(agencies):
    return Source.objects.create(
        name="AFP world", slug="afp", agency=agencies["AFP"], format=Source.Format.NINJS
    )


def ninjs(guid, *, version=1, headline="Harbour drones tested", body=None, urgency=4,
          subjects=(), pubstatus="usable", embargoed=None):  # fmt: skip
    document = {
        "uri": f"urn:afp.example:{guid}",
        "type": "text",
        "version": str(version),
        "versioncreated": "2026-11-24T11:00:00+00:00",
        "pubstatus": pubstatus,
        "urgency": urgency,
        "language": "en",
        "headline": headline,
        "located": "Toulon",
        "subject": [{"code": code, "name": code} for code in subjects],
        "body_text": body
        or "The navy tested unmanned boats in the harbour on Tuesday.\n\nMore trials follow.",
    }
    if embargoed:
        document["embargoed"] = embargoed
    return json.dumps(document).encode()


@pytest.fixture
def deliver(source):
    def deliver(guid, **kwargs):
        data = ninjs(guid, **kwargs)
        return delivery_ingest(
            source=source, data=data, origin=f"{guid}-v{kwargs.get('version', 1)}.json"
        )

    return deliver


@pytest.fixture
def roles(db):
    roles_sync()


@pytest.fixture
def make_staff(roles):
    def make(username, role):
        user = get_user_model().objects.create_user(username, f"{username}@example.com", "pw")
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name=role))
        return user

    return make
