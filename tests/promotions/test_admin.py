import io

import pytest
from django.contrib.auth import get_user_model

from dateline.promotions.models import AdsTxt, Promotion
from tests.conftest import staff_login

HOST = {"host": "spacewar.localhost"}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("chief", "chief@example.org", "pw")
    staff_login(client, user)
    return client


def promotion_form(**overrides):
    data = {
        "name": "Spring drive", "slot": "sidebar", "kind": "text", "headline": "Support us",
        "text": "", "url": "https://example.org/give", "sponsor": "", "image_alt": "",
        "weight": "10", "starts_at_0": "", "starts_at_1": "", "ends_at_0": "", "ends_at_1": "",
        "is_active": "on",
        "daily_stats-TOTAL_FORMS": "0", "daily_stats-INITIAL_FORMS": "0",
        "daily_stats-MIN_NUM_FORMS": "0", "daily_stats-MAX_NUM_FORMS": "0",
    }  # fmt: skip
    data.update(overrides)
    return data


class PromotionAdminTests:
    def test_add_text_promotion(self, admin_client, war_site, space_site):
        """A text promotion saved in the admin targets the chosen sites."""
        response = admin_client.post(
            "/admin/promotions/promotion/add/",
            promotion_form(sites=[war_site.id]),
            headers=HOST,
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        promotion = Promotion.objects.get()
        assert list(promotion.sites.all()) == [war_site]

    def test_javascript_url_refused(self, admin_client, war_site):
        """A javascript: link is a form error, not a stored promotion."""
        response = admin_client.post(
            "/admin/promotions/promotion/add/",
            promotion_form(url="javascript:alert(1)"),
            headers=HOST,
        )
        assert response.status_code == 200 and not Promotion.objects.exists()
        assert "Enter a valid URL." in response.content.decode()

    def test_image_upload(self, admin_client, war_site, client):
        """A PNG is stored and served from /promo/<id>/image/; an SVG is refused."""
        svg = io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
        svg.name = "ad.svg"
        response = admin_client.post(
            "/admin/promotions/promotion/add/",
            promotion_form(kind="image", image_alt="A rocket", image_upload=svg),
            headers=HOST,
        )
        assert "SVG is not accepted" in response.content.decode()
        png = io.BytesIO(PNG)
        png.name = "ad.png"
        response = admin_client.post(
            "/admin/promotions/promotion/add/",
            promotion_form(kind="image", image_alt="A rocket", image_upload=png),
            headers=HOST,
        )
        assert response.status_code == 302
        promotion = Promotion.objects.get()
        image = client.get(f"/promo/{promotion.id}/image/", headers=HOST)
        assert image.status_code == 200 and image["Content-Type"] == "image/png"
        assert image.content == PNG

    def test_schedule_must_end_after_start(self, admin_client, war_site):
        """An end before the start is a form error."""
        response = admin_client.post(
            "/admin/promotions/promotion/add/",
            promotion_form(
                starts_at_0="2026-12-02",
                starts_at_1="10:00",
                ends_at_0="2026-12-01",
                ends_at_1="10:00",
            ),
            headers=HOST,
        )
        assert "The end must come after the start." in response.content.decode()


class AdsTxtTests:
    def test_served_per_site(self, admin_client, war_site, space_site, client):
        """Each site serves its own ads.txt as text/plain; a site without one answers 404."""
        content = (
            "# SpaceWar partners\n"
            "contact=ads@example.org\n"
            "adnetwork.example, pub-0000000000000001, DIRECT, f08c47fec0942fa0\n"
            "reseller.example, 12345, RESELLER\n"
        )
        response = admin_client.post(
            "/admin/promotions/adstxt/add/", {"site": war_site.id, "content": content}, headers=HOST
        )
        assert response.status_code == 302
        served = client.get("/ads.txt", headers=HOST)
        assert served.status_code == 200
        assert served["Content-Type"] == "text/plain; charset=utf-8"
        assert "pub-0000000000000001, DIRECT" in served.content.decode()
        assert client.get("/ads.txt", headers={"host": "spacedaily.localhost"}).status_code == 404

    def test_bad_lines_named(self, admin_client, war_site):
        """Malformed records are refused with their line numbers and what is wrong."""
        content = (
            "adnetwork.example, pub-1, DIRECT\nnot a record\nexample.com, 1, PARTNER\nfoo=bar\n"
        )
        response = admin_client.post(
            "/admin/promotions/adstxt/add/", {"site": war_site.id, "content": content}, headers=HOST
        )
        page = response.content.decode()
        assert response.status_code == 200 and not AdsTxt.objects.exists()
        assert "line 2: a record has 3 or 4 comma-separated fields" in page
        assert "line 3: the relationship must be DIRECT or RESELLER" in page
        assert "line 4: unknown variable" in page
