"""The newsletters on every page (masthead call, footer row) and the web archive."""

import re

import pytest
from django.utils import timezone

from dateline.newsletters import services
from dateline.newsletters.models import Issue


@pytest.mark.django_db
class SitePagesTests:
    def test_masthead_calls_to_subscribe(self, fetch, sections):
        """Every page's masthead links to the signup page."""
        html = fetch("/").content.decode()
        assert '<a href="/newsletters/">Subscribe to our free daily newsletters</a>' in html

    def test_footer_lists_every_sites_newsletter(self, fetch, sections):
        """The footer's Newsletters row links each site's newsletter to the signup page."""
        html = fetch("/").content.decode()
        row = re.search(r"<span>Newsletters</span>(.*?)</p>", html).group(1)
        assert 'href="http://spacedaily.localhost/newsletters/?site=spacedaily"' in row
        assert 'href="http://spacewar.localhost/newsletters/?site=spacewar"' in row

    def test_pages_ship_no_inline_script_or_style(self, fetch, war_newsletter):
        """The signup page carries the site's CSP and no inline script or style."""
        response = fetch("/newsletters/")
        html = response.content.decode()
        assert "default-src 'self'" in response["Content-Security-Policy"]
        assert "<script" not in html and "style=" not in html and "<style" not in html


@pytest.mark.django_db
class ArchiveTests:
    def test_sent_issue_has_a_page(self, fetch, war_newsletter, publish, subscribers):
        """A sent issue is listed in the archive and has its own page; unsent ones do not."""
        subscribers(1)
        publish("Archived headline", teaser="Archived teaser.")
        issue = services.issue_build(newsletter=war_newsletter, date=timezone.now().date())
        day = issue.date.isoformat()
        assert fetch(f"/newsletters/archive/{day}/").status_code == 404
        Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT)
        index = fetch("/newsletters/archive/").content.decode()
        assert f'href="/newsletters/archive/{day}/"' in index
        page = fetch(f"/newsletters/archive/{day}/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "Archived headline" in html and "Archived teaser." in html
        assert "Baghdad (AFP)" in html

    def test_other_sites_issue_is_not_in_this_archive(
        self, fetch, war_newsletter, publish, subscribers
    ):
        """Each site's archive lists its own issues only."""
        subscribers(1)
        publish("War story")
        issue = services.issue_build(newsletter=war_newsletter, date=timezone.now().date())
        Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENT)
        day = issue.date.isoformat()
        assert fetch(f"/newsletters/archive/{day}/", host="spacedaily.localhost").status_code == 404

    def test_not_a_date_is_404(self, fetch, war_newsletter):
        """A malformed or impossible date is a 404, not an error."""
        assert fetch("/newsletters/archive/2026-13-45/").status_code == 404
