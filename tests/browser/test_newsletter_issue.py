"""An issue as a narrow and a standard mail pane shows it: headless Chromium at 375
and 600 px wide, screenshots kept under var/test-artifacts/."""

import pytest
from django.utils import timezone

from dateline.newsletters import services
from dateline.newsletters.digest import issue_html

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.fixture
def html(publish, space_site):
    services.newsletters_ensure()
    from dateline.network.models import Site

    war = Site.objects.get(slug="spacewar")
    publish(
        "Orbital tracking radar enters service after a decade of delays",
        section="missiles",
        teaser="The new radar can follow objects the size of a tennis ball at 2,000 km, "
        "its builders say, and feeds the missile warning network from next spring.",
    )
    publish("Drone makers meet in the desert", section="drones", teaser="A short teaser.")
    publish("Ceasefire talks resume", teaser="Negotiators return to the table on Monday.")
    issue = services.issue_build(newsletter=war.newsletter, date=timezone.now().date())
    return (
        issue_html(issue.contents, network=war.network)
        .replace("%%PREFERENCES_URL%%", "https://spacewar.localhost/newsletters/preferences/x/")
        .replace("%%UNSUBSCRIBE_URL%%", "https://spacewar.localhost/newsletters/unsubscribe/x/")
    )


class IssueRenderingTests:
    @pytest.mark.parametrize("width", [375, 600])
    def test_issue_fits_the_pane_without_sideways_scrolling(self, html, browser, artifacts, width):
        """At 375 and 600 px the issue needs no horizontal scrolling, and every
        headline is laid out inside the pane."""
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.set_content(html)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width
        boxes = [link.bounding_box() for link in page.locator("a.headline").all()]
        assert len(boxes) == 3
        assert all(box and box["x"] >= 0 and box["x"] + box["width"] <= width for box in boxes)
        page.screenshot(path=str(artifacts / f"newsletter-issue-{width}.png"), full_page=True)
        page.close()
