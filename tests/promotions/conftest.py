import pytest
from django.core.cache import cache

from dateline.promotions import counters


@pytest.fixture(autouse=True)
def clean_state(settings):
    """Counters written at once; no cached creatives or counts from another test."""
    settings.DATELINE_PROMOTIONS_FLUSH_SECONDS = 0
    cache.clear()
    counters._pending.clear()
    yield
    counters._pending.clear()
    cache.clear()


@pytest.fixture
def promote(war_site):
    """Create a promotion through the service: promote("Name", slot="sidebar", ...)."""
    from dateline.promotions import services
    from dateline.promotions.models import Promotion

    def make(name, *, slot="sidebar", sites=(), **fields):
        fields.setdefault("headline", f"{name} headline")
        fields.setdefault("url", "https://partner.example/landing?id=7")
        promotion = Promotion(name=name, slot=slot, **fields)
        return services.promotion_save(promotion=promotion, sites=list(sites))

    return make
