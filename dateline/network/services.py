"""State changes of the network, its sites and sections."""

from django.db import transaction

from dateline.articles import fragments
from dateline.bake.pages import site_targets
from dateline.bake.services import pages_changed

from .models import Agency, Network, Section, Site


def _after_commit_invalidate(keys):
    keys = list(keys)
    transaction.on_commit(lambda: fragments.fragments_invalidate(keys))


def _pages_of_sites(sites):
    """Every stored page of these sites shows the change (names, navigation, footer)."""
    pages_changed(site_targets(*(site.host for site in sites)))


@transaction.atomic
def network_save(*, network: Network) -> Network:
    """Save the network; every footer shows the change."""
    network.save()
    _after_commit_invalidate([fragments.footer_key(network.id)])
    _pages_of_sites(network.sites.all())
    return network


@transaction.atomic
def site_save(*, site: Site) -> Site:
    """Save a site (host names are kept lowercase); footers list it."""
    site.host = site.host.strip().lower().rstrip(".")
    old_host = Site.objects.filter(pk=site.pk).values_list("host", flat=True).first()
    site.save()
    _after_commit_invalidate([fragments.footer_key(site.network_id)])
    _pages_of_sites(Site.objects.filter(network_id=site.network_id))
    if old_host and old_host != site.host:  # the old name's stored pages must not answer
        pages_changed(site_targets(old_host))
    return site


@transaction.atomic
def section_save(*, section: Section) -> Section:
    """Save a section (with its related links); its headline block shows the new name,
    and every page of the site its navigation."""
    section.save()
    _after_commit_invalidate([fragments.headlines_key(section.id)])
    _pages_of_sites([section.site])
    return section


@transaction.atomic
def agency_save(*, agency: Agency) -> Agency:
    """Save an agency; every footer's attribution notice shows the change."""
    agency.save()
    _after_commit_invalidate(
        fragments.footer_key(n) for n in Network.objects.values_list("id", flat=True)
    )
    _pages_of_sites(Site.objects.all())  # datelines and the footer name agencies
    return agency


@transaction.atomic
def section_delete(*, section: Section) -> None:
    """Delete a section (one with no stories: placements protect it); every page of
    its site loses it from the navigation."""
    site = section.site
    section.delete()
    _pages_of_sites([site])


@transaction.atomic
def site_delete(*, site: Site) -> None:
    """Delete a site: its stored pages go with it, and the other sites' footers change."""
    others = list(Site.objects.filter(network_id=site.network_id).exclude(pk=site.pk))
    host = site.host
    site.delete()
    pages_changed(site_targets(host))
    _pages_of_sites(others)


@transaction.atomic
def agency_delete(*, agency: Agency) -> None:
    agency.delete()
    _pages_of_sites(Site.objects.all())  # the footer's attributions
