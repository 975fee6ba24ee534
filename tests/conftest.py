"""Shared fixtures: a small two-site network built through the services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dateline.articles import services
from dateline.network.models import Agency, Network, RelatedLink, Section, Site


@pytest.fixture
def network(db):
    return Network.objects.create(
        name="Test Media Network",
        copyright_notice="Copyright {years} - Test Media Network.",
        first_year=2001,
        privacy_statement="We keep little.\n\nWe share nothing.",
    )


@pytest.fixture
def agencies(db):
    return {
        "AFP": Agency.objects.create(
            code="AFP", name="Agence France-Presse", copyright_holder="Agence France-Presse"
        ),
        "UPI": Agency.objects.create(
            code="UPI",
            name="United Press International",
            copyright_holder="United Press International",
        ),
        "SPX": Agency.objects.create(code="SPX", name="Staff Writers", kind=Agency.Kind.STAFF),
    }


@pytest.fixture
def war_site(network):
    return Site.objects.create(
        network=network,
        name="SpaceWar",
        slug="spacewar",
        host="spacewar.localhost",
        tagline=". Military Space News .",
        order=1,
    )


@pytest.fixture
def space_site(network):
    return Site.objects.create(
        network=network, name="SpaceDaily", slug="spacedaily", host="spacedaily.localhost", order=0
    )


@pytest.fixture
def sections(war_site, space_site):
    names = [("iraq-wars", "Iraq Wars"), ("missiles", "Missiles"), ("drones", "Drones")]
    result = {
        slug: Section.objects.create(site=war_site, slug=slug, name=name, order=i)
        for i, (slug, name) in enumerate(names)
    }
    result["satellites"] = Section.objects.create(
        site=space_site, slug="satellites", name="Satellites"
    )
    RelatedLink.objects.create(
        section=result["iraq-wars"],
        title="Background on the campaign",
        url="https://example.org/bg",
    )
    return result


@pytest.fixture
def publish(agencies, sections):
    """Create and publish a story: publish(headline, section="iraq-wars", hours_ago=1, ...)."""

    def make(headline, section="iraq-wars", *, hours_ago=1.0, extra_sections=(), **fields):
        fields.setdefault("body", "<p>First paragraph of the story.</p><p>Second paragraph.</p>")
        fields.setdefault("agency", agencies["AFP"])
        fields.setdefault("dateline_place", "Baghdad")
        fields.setdefault("byline", "Jane Reporter")
        story = services.story_create(
            headline=headline,
            sections=[sections[section], *(sections[s] for s in extra_sections)],
            **fields,
        )
        return services.story_publish(
            story=story, published_at=timezone.now() - timedelta(hours=hours_ago)
        )

    return make


@pytest.fixture
def fetch(client):
    """GET a path as a reader of one site: fetch("/", host="spacewar.localhost")."""

    def get(path, host="spacewar.localhost", **kwargs):
        return client.get(path, headers={"host": host}, **kwargs)

    return get


def staff_login(client, user):
    """Sign ``user`` in as the login page would after password and TOTP code: a
    confirmed TOTP device, verified for this session (django-otp)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="phone", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
