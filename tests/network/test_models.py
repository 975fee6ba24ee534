import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from dateline.network.models import Section, Site

pytestmark = pytest.mark.django_db


class SiteTests:
    def test_host_names_are_unique_ignoring_case(self, war_site, network):
        """Two sites cannot share a host name, whatever its case."""
        with pytest.raises(IntegrityError):
            Site.objects.create(
                network=network, name="Copy", slug="copy", host="SPACEWAR.localhost"
            )

    def test_host_validation(self, network):
        """A host with scheme, port or path is refused with a message saying what to enter."""
        site = Site(network=network, name="X", slug="x", host="http://x.example:80/")
        with pytest.raises(ValidationError) as error:
            site.full_clean()
        assert "without scheme, port or path" in str(error.value)

    def test_time_zone_validation(self, network):
        """An unknown time zone name is refused."""
        site = Site(network=network, name="X", slug="x", host="x.example", time_zone="Mars/Olympus")
        with pytest.raises(ValidationError):
            site.full_clean()


class SectionTests:
    def test_slug_unique_per_site(self, sections, war_site, space_site):
        """A slug is unique within a site, and may repeat on another site."""
        Section.objects.create(site=space_site, slug="missiles", name="Missiles")
        with pytest.raises(IntegrityError):
            Section.objects.create(site=war_site, slug="missiles", name="Again")

    def test_reserved_slugs_refused(self, war_site):
        """A section cannot take a path every site needs (archive, admin, ...)."""
        section = Section(site=war_site, slug="archive", name="Archive")
        with pytest.raises(ValidationError):
            section.full_clean()
