from collections import Counter
from datetime import timedelta

from django.utils import timezone

from dateline.promotions import services
from dateline.promotions.models import Promotion, PromotionDailyStats
from dateline.promotions.selectors import slot_choice

HOST = {"host": "spacewar.localhost"}


class SlotTests:
    def test_every_slot_on_the_article_page(self, promote, publish, fetch):
        """Sidebar, after-article and footer slots show their promotions with click links."""
        side = promote("Side", slot="sidebar")
        after = promote("After", slot="after_article", sponsor="Partner Ltd")
        foot = promote("Foot", slot="footer")
        story = publish("A story")
        page = fetch(story.placements.get().path).content.decode()
        for promotion in (side, after, foot):
            assert f'href="/promo/{promotion.id}/click/"' in page
        assert "Promoted by Partner Ltd" in page
        # The reference page's order: headline blocks, then the promotions, then the footer.
        assert (
            page.index('class="block"') < page.index("Side headline") < page.index("Foot headline")
        )
        assert page.index("After headline") < page.index('class="footer"')
        assert "partner.example" not in page  # readers' browsers see only our click URL

    def test_schedule_and_site_targeting(self, promote, war_site, space_site):
        """Only promotions running now and aimed at the site (or every site) are drawn."""
        now = timezone.now()
        promote("Everywhere")
        promote("Elsewhere", sites=[space_site])
        promote("Here", sites=[war_site])
        promote("Later", starts_at=now + timedelta(hours=1))
        promote("Over", starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1))
        drawn = {c.headline for c in slot_choice(war_site, "sidebar", size=10)}
        assert drawn == {"Everywhere headline", "Here headline"}

    def test_weights(self, promote, war_site):
        """A weight of 9 against 1 wins most draws (rotation follows the weights)."""
        promote("Heavy", weight=9)
        promote("Light", weight=1)
        wins = Counter(slot_choice(war_site, "sidebar")[0].headline for _ in range(2000))
        assert wins["Heavy headline"] > 3 * wins["Light headline"] > 0

    def test_changes_show_at_once(self, promote, war_site, django_capture_on_commit_callbacks):
        """Saving through the service forgets this process's cached list."""
        promotion = promote("Old")
        assert slot_choice(war_site, "sidebar")[0].headline == "Old headline"
        promotion.headline = "New headline"
        with django_capture_on_commit_callbacks(execute=True):
            services.promotion_save(promotion=promotion)
        assert slot_choice(war_site, "sidebar")[0].headline == "New headline"

    def test_no_endorsement_notice(self, publish, fetch):
        """The footer says that advertising implies no endorsement."""
        story = publish("A story")
        page = fetch(story.placements.get().path).content.decode()
        footer = page[page.index('class="footer"') :]
        assert "imply no endorsement" in footer


class CountingTests:
    def test_impressions_aggregated_per_day(self, promote, publish, fetch):
        """Five views make one row with five impressions, not five rows."""
        promotion = promote("Counted")
        path = publish("A story").placements.get().path
        for _ in range(5):
            fetch(path)
        stats = PromotionDailyStats.objects.get(promotion=promotion)
        assert (stats.impressions, stats.clicks) == (5, 0)

    def test_click_counted_and_redirected(self, promote, client):
        """The click link counts and goes to the stored URL."""
        promotion = promote("Clicked")
        response = client.get(f"/promo/{promotion.id}/click/", headers=HOST)
        assert response.status_code == 302
        assert response["Location"] == "https://partner.example/landing?id=7"
        assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
        assert PromotionDailyStats.objects.get(promotion=promotion).clicks == 1


class ClickRedirectTests:
    def test_refuses_any_other_url(self, promote, client):
        """No parameter, path trick or other site turns the click link into an open redirect."""
        promotion = promote("Safe")
        base = f"/promo/{promotion.id}/click/"
        for query in [
            {"url": "https://evil.example/"},
            {"next": "//evil.example"},
            {"redirect": "javascript:alert(1)"},
            {"u": "https://partner.example/landing?id=7"},
        ]:
            response = client.get(base, query, headers=HOST)
            assert response.status_code == 400, query
            assert "evil" not in response.get("Location", "")
        for path in [
            f"/promo/{promotion.id}/click/https://evil.example/",
            f"/promo/{promotion.id}/click//evil.example",
            f"/promo/{promotion.id}/click/%2F%2Fevil.example",
            "/promo/99999/click/",
        ]:
            response = client.get(path, headers=HOST)
            assert response.status_code == 404, path
        assert not PromotionDailyStats.objects.filter(clicks__gt=0).exists()

    def test_not_for_another_sites_promotion(self, promote, space_site, client):
        """A promotion aimed at another site has no click link here."""
        promotion = promote("Theirs", sites=[space_site])
        assert client.get(f"/promo/{promotion.id}/click/", headers=HOST).status_code == 404
        response = client.get(
            f"/promo/{promotion.id}/click/", headers={"host": "spacedaily.localhost"}
        )
        assert response.status_code == 302

    def test_stored_url_must_be_web(self, war_site):
        """The database refuses a promotion whose URL is not http(s)."""
        import pytest
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            Promotion.objects.create(
                name="Bad", slot="sidebar", headline="x", url="javascript:alert(1)"
            )
