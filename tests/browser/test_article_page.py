from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class ArticlePageBrowserTests:
    def test_every_region_visible(self, live_server, browser, publish, artifacts):
        """In Chromium the article page shows every region of the brief's list 1-7, 11, 13."""
        publish("Earlier story in the section", hours_ago=20, teaser="The earlier teaser.")
        for i in range(4):
            publish(f"Missile headline {i}", section="missiles", hours_ago=5 + i)
        story = publish(
            "Forces retake the last held town",
            body="<p>Lede paragraph.</p><h2>'Days now numbered'</h2><p>More text.</p>",
            signoff="burs/srm/del",
        )
        port = urlsplit(live_server.url).port
        url = f"http://spacewar.localhost:{port}{story.placements.get().path}"

        page = browser.new_page(viewport={"width": 1280, "height": 900})
        response = page.goto(url)
        assert response.status == 200

        regions = {
            "masthead": page.locator(".masthead .brand"),
            "tagline": page.locator(".masthead .tagline"),
            "section label": page.locator(".story .label"),
            "headline": page.locator(".story h1"),
            "byline": page.locator(".story .byline"),
            "dateline": page.locator(".story .dateline"),
            "body": page.locator(".story .body p").first,
            "subhead": page.locator(".story .body h2"),
            "sign-off": page.locator(".story .signoff"),
            "previous story": page.locator(".previous"),
            "read more": page.get_by_text("... read more"),
            "related links": page.locator(".related"),
            "headline blocks": page.locator(".sidebar .block").first,
            "footer": page.locator("footer.footer"),
            "privacy link": page.get_by_role("link", name="Privacy Statement"),
        }
        for name, locator in regions.items():
            assert locator.is_visible(), f"{name} is not visible"
        assert page.locator(".story h1").inner_text() == "Forces retake the last held town"
        assert page.locator(".story .byline").inner_text() == "By Jane Reporter"
        assert page.locator(".story .dateline").inner_text().startswith("Baghdad (AFP) ")
        assert page.locator("section.block:has(#block-missiles) li").count() == 4
        assert "SpaceDaily" in page.locator("footer.footer").inner_text()
        page.screenshot(path=str(artifacts / "article-page.png"), full_page=True)

        # The same page on a phone: one column, nothing cut off horizontally.
        page.set_viewport_size({"width": 375, "height": 800})
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow
        page.screenshot(path=str(artifacts / "article-page-mobile.png"), full_page=True)
        page.close()
