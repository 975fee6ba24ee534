from pathlib import Path

import pytest
from django.core import signing
from django.test import Client

from dateline.comments import services
from dateline.comments.models import BannedAddress, Comment, SiteComments
from dateline.comments.views import COMMENTER_COOKIE

HOST = {"host": "spacewar.localhost"}


def set_mode(site, **fields):
    services.site_comments_save(site_comments=SiteComments(site=site, **fields))


class WriteTests:
    def test_form_page(self, article, fetch):
        """The article links to a form page with a CSRF token and the honeypot."""
        page = fetch(article.path).content.decode()
        assert f'href="/comments/{article.id}/write/"' in page
        form = fetch(f"/comments/{article.id}/write/")
        assert form.status_code == 200
        body = form.content.decode()
        assert 'name="csrfmiddlewaretoken"' in body
        assert 'name="website"' in body and 'class="hp"' in body

    def test_unverified_comment_waits_for_the_link(self, article, post_comment, mailoutbox, fetch):
        """A first comment is kept, e-mailed a magic link, and not shown yet."""
        response = post_comment(article, body="First thoughts.")
        assert response.status_code == 302
        assert "state=check-email" in response["Location"]
        comment = Comment.objects.get()
        assert comment.status == Comment.Status.UNVERIFIED
        assert comment.body_source == "First thoughts."
        assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ada@example.org"]
        assert "First thoughts." not in fetch(article.path).content.decode()

    def test_magic_link_get_changes_nothing(
        self, article, post_comment, mailoutbox, client, magic_link_path
    ):
        """Opening the link shows a confirm button; a mail scanner's GET verifies nothing."""
        post_comment(article)
        path = magic_link_path(mailoutbox[0].body)
        page = client.get(path, headers=HOST)
        assert page.status_code == 200 and "Confirm my comment" in page.content.decode()
        assert Comment.objects.get().status == Comment.Status.UNVERIFIED

    def test_verification_then_moderation(
        self, article, post_comment, mailoutbox, client, fetch, magic_link_path
    ):
        """Confirming queues the comment (pre-moderation); approval publishes it."""
        post_comment(article, body="Worth reading twice.")
        response = client.post(magic_link_path(mailoutbox[0].body), headers=HOST)
        assert response.status_code == 302 and "state=queued" in response["Location"]
        assert COMMENTER_COOKIE in response.cookies
        comment = Comment.objects.get()
        assert comment.status == Comment.Status.PENDING
        assert "Worth reading twice." not in fetch(article.path).content.decode()
        services.comment_approve(comment=comment, by=None)
        page = fetch(article.path).content.decode()
        assert "Worth reading twice." in page
        assert "1 comment<" in page

    def test_cookie_remembers_a_verified_reader(
        self, article, post_comment, mailoutbox, client, magic_link_path
    ):
        """After one confirmation, the same browser and address need no e-mail."""
        post_comment(article)
        client.post(magic_link_path(mailoutbox[0].body), headers=HOST)
        post_comment(article, body="A second comment.")
        assert len(mailoutbox) == 1
        second = Comment.objects.get(body_source="A second comment.")
        assert second.status == Comment.Status.PENDING

    def test_cookie_is_for_one_address(
        self, article, post_comment, mailoutbox, client, magic_link_path
    ):
        """The cookie does not verify another address typed in the same browser."""
        post_comment(article)
        client.post(magic_link_path(mailoutbox[0].body), headers=HOST)
        post_comment(article, email="someone.else@example.org", body="Not me.")
        assert Comment.objects.get(body_source="Not me.").status == Comment.Status.UNVERIFIED
        assert len(mailoutbox) == 2

    def test_post_moderation_publishes_at_once(
        self, article, post_comment, mailoutbox, client, fetch, magic_link_path
    ):
        """On a post-moderated site a confirmed comment shows at once."""
        set_mode(article.site, moderation=SiteComments.Moderation.POST)
        post_comment(article, body="Straight out.")
        response = client.post(magic_link_path(mailoutbox[0].body), headers=HOST)
        assert "state=published" in response["Location"]
        assert "Straight out." in fetch(article.path).content.decode()

    def test_forged_and_expired_links(
        self, article, post_comment, mailoutbox, client, settings, magic_link_path
    ):
        """A forged token or an expired one gets a clear 400 and verifies nothing."""
        post_comment(article)
        comment = Comment.objects.get()
        forged = signing.dumps({"c": comment.id}, salt="another-salt")
        response = client.post(f"/comments/verify/{forged}/", headers=HOST)
        assert response.status_code == 400
        assert "not valid, has expired" in response.content.decode()
        settings.DATELINE_COMMENTS_VERIFY_HOURS = -1
        response = client.post(magic_link_path(mailoutbox[0].body), headers=HOST)
        assert response.status_code == 400
        assert Comment.objects.get().status == Comment.Status.UNVERIFIED

    def test_link_on_another_site_does_not_verify(
        self, article, post_comment, mailoutbox, client, magic_link_path
    ):
        """A comment's link works only on the site it was written on."""
        post_comment(article)
        response = client.post(
            magic_link_path(mailoutbox[0].body), headers={"host": "spacedaily.localhost"}
        )
        assert response.status_code == 400

    def test_replies_are_threaded(self, article, fetch):
        """A reply shows inside its parent's list item."""
        parent = services.comment_submit(
            site=article.site, story_id=article.story_id, parent=None, author_name="A",
            author_email="a@example.org", body="Parent text.", verified=True,
        )  # fmt: skip
        services.comment_approve(comment=parent, by=None)
        response = fetch(f"/comments/{article.id}/write/?reply_to={parent.id}")
        assert "Reply to A" in response.content.decode()
        reply = services.comment_submit(
            site=article.site, story_id=article.story_id, parent=parent, author_name="B",
            author_email="b@example.org", body="Reply text.", verified=True,
        )  # fmt: skip
        services.comment_approve(comment=reply, by=None)
        page = fetch(article.path).content.decode()
        parent_at = page.index(f'id="comment-{parent.id}"')
        reply_at = page.index(f'id="comment-{reply.id}"')
        # The reply sits in a nested list inside the parent's item.
        assert '<ol class="comment-list">' in page[parent_at:reply_at]
        assert "</li>" not in page[parent_at:reply_at]
        assert "2 comments" in page
        # A removed parent stays as a placeholder above its published reply.
        services.comment_delete(comment=parent, by=None)
        page = fetch(article.path).content.decode()
        assert "This comment was removed." in page and "Reply text." in page
        assert "Parent text." not in page

    def test_reply_to_unknown_comment(self, article, fetch):
        """Replying to a comment that is not published here is a 404."""
        assert fetch(f"/comments/{article.id}/write/?reply_to=99999").status_code == 404
        assert fetch(f"/comments/{article.id}/write/?reply_to=x").status_code == 404


class SpamDefenceTests:
    def test_honeypot_stores_nothing(self, article, post_comment, mailoutbox):
        """A filled honeypot looks accepted to the bot, but nothing is kept or sent."""
        response = post_comment(article, website="http://spam.example/")
        assert response.status_code == 200
        assert not Comment.objects.exists() and not mailoutbox

    def test_too_many_links_refused_and_text_kept(self, article, post_comment):
        """More links than the site allows: a 400 saying so, the text still in the form."""
        body = "Buy https://a.example/ https://b.example/ https://c.example/"
        response = post_comment(article, body=body)
        assert response.status_code == 400
        page = response.content.decode()
        assert "at most 2 links; yours has 3" in page
        assert "https://c.example/" in page
        assert not Comment.objects.exists()

    def test_rate_limit_per_ip(self, article, post_comment, settings):
        """A flood from one IP gets a 429 with a clear message and the text kept."""
        settings.DATELINE_COMMENTS_RATE_LIMITS = {
            **settings.DATELINE_COMMENTS_RATE_LIMITS,
            "ip": (2, 600),
        }
        for i in range(2):
            assert post_comment(article, email=f"r{i}@example.org").status_code == 302
        response = post_comment(article, email="r9@example.org", body="Third in a row.")
        assert response.status_code == 429
        page = response.content.decode()
        assert "You are commenting too fast" in page and "Third in a row." in page
        assert Comment.objects.count() == 2

    def test_rate_limit_per_address(self, article, post_comment, settings):
        """One address cannot flood from many IPs either."""
        settings.DATELINE_COMMENTS_RATE_LIMITS = {
            **settings.DATELINE_COMMENTS_RATE_LIMITS, "address": (1, 600)
        }  # fmt: skip
        assert post_comment(article).status_code == 302
        assert post_comment(article, REMOTE_ADDR="10.0.0.9").status_code == 429

    def test_verification_mails_limited(self, article, post_comment, mailoutbox, settings):
        """Nobody can use the form to flood an inbox with confirmation mails."""
        settings.DATELINE_COMMENTS_RATE_LIMITS = {
            **settings.DATELINE_COMMENTS_RATE_LIMITS, "verify_mail": (1, 3600)
        }  # fmt: skip
        post_comment(article)
        post_comment(article, body="Again.")
        assert len(mailoutbox) == 1
        assert Comment.objects.count() == 2  # the text is kept all the same

    def test_banned_address(self, article, post_comment, mailoutbox, client, magic_link_path):
        """A banned address is refused with a clear 403; its waiting comments are rejected
        and their e-mailed links no longer work."""
        post_comment(article, email="Troll@Example.org", body="Waiting.")
        services.address_ban(email="troll@example.org", reason="abuse")
        assert Comment.objects.get().status == Comment.Status.REJECTED
        link = magic_link_path(mailoutbox[0].body)
        assert client.get(link, headers=HOST).status_code == 400
        assert client.post(link, headers=HOST).status_code == 400
        response = post_comment(article, email="troll@example.org", body="Again.")
        assert response.status_code == 403
        assert "may not comment" in response.content.decode()
        assert BannedAddress.objects.get().email == "troll@example.org"

    def test_csrf_enforced(self, article):
        """A POST without the CSRF token is refused."""
        client = Client(enforce_csrf_checks=True)
        response = client.post(
            f"/comments/{article.id}/write/",
            {"name": "A", "email": "a@example.org", "body": "Hello there."},
            headers=HOST,
        )
        assert response.status_code == 403
        assert not Comment.objects.exists()


class ReportTests:
    def _published(self, article, body="Reported text."):
        comment = services.comment_submit(
            site=article.site, story_id=article.story_id, parent=None, author_name="A",
            author_email="a@example.org", body=body, verified=True,
        )  # fmt: skip
        return services.comment_approve(comment=comment, by=None)

    def test_report_once_per_reader(self, article, client):
        """A reader's report is counted once, however often they send it."""
        comment = self._published(article)
        form = client.get(f"/comments/report/{comment.id}/", headers=HOST)
        assert form.status_code == 200
        for _ in range(2):
            response = client.post(
                f"/comments/report/{comment.id}/", {"reason": "abuse"}, headers=HOST
            )
            assert response.status_code == 302
        comment.refresh_from_db()
        assert comment.report_count == 1

    def test_reports_bring_a_comment_back_to_the_queue(self, article, client, fetch):
        """On a post-moderated site, enough reports from different readers hide it."""
        set_mode(article.site, moderation=SiteComments.Moderation.POST, hide_after_reports=2)
        comment = self._published(article)
        for ip in ["10.0.0.1", "10.0.0.2"]:
            client.post(
                f"/comments/report/{comment.id}/", {"reason": "spam"}, headers=HOST, REMOTE_ADDR=ip
            )
        comment.refresh_from_db()
        assert comment.status == Comment.Status.PENDING
        assert "Reported text." not in fetch(article.path).content.decode()

    def test_bad_reason(self, article, client):
        """An unknown reason is a 400 and records nothing."""
        comment = self._published(article)
        response = client.post(f"/comments/report/{comment.id}/", {"reason": "x"}, headers=HOST)
        assert response.status_code == 400
        assert not comment.reports.exists()


XSS_PAYLOADS = [
    line
    for line in (Path(__file__).parent / "fixtures" / "xss_payloads.txt").read_text().splitlines()
    if line and not line.startswith("# ")
]


class HostileInputTests:
    @pytest.mark.parametrize("payload", XSS_PAYLOADS)
    def test_xss_stored_verbatim_and_shown_inert(self, article, fetch, payload):
        """The payload is kept as typed; the page carries no script, handler or js: URL from it."""
        comment = services.comment_submit(
            site=article.site, story_id=article.story_id, parent=None, author_name="<b>X</b>",
            author_email="x@example.org", body=payload, verified=True,
        )  # fmt: skip
        services.comment_approve(comment=comment, by=None)
        assert Comment.objects.get().body_source == payload
        page = fetch(article.path).content.decode()
        region = page[page.index('id="comments"') : page.index('class="share"')]
        lowered = region.lower()
        for forbidden in [
            "<script",
            "onerror",
            "onload",
            "ontoggle",
            "onmouseover",
            "javascript:",
            "<iframe",
            "<svg",
            "<img",
            "style=",
            "data:text",
        ]:
            assert forbidden not in lowered, (payload, forbidden)
        assert "&lt;b&gt;X&lt;/b&gt;" in region  # the name is escaped text


class CacheabilityTests:
    def test_article_page_sets_no_cookie(self, article, fetch):
        """The article page with its comments sets no cookie and does not vary by cookie."""
        response = fetch(article.path)
        assert not response.cookies
        assert "cookie" not in response.get("Vary", "").lower()

    def test_huge_ids_are_not_found(self, article, fetch):
        """Ids beyond any integer column answer 404, not an error."""
        huge = "9" * 30
        for path in [
            f"/comments/{huge}/write/",
            f"/comments/report/{huge}/",
            f"/comments/{article.id}/write/?reply_to={huge}",
        ]:
            assert fetch(path).status_code == 404, path


class SiteModeTests:
    def test_no_comments(self, article, fetch):
        """A site without comments shows no region, no count and no form."""
        set_mode(article.site, mode=SiteComments.Mode.OFF)
        page = fetch(article.path).content.decode()
        assert 'id="comments"' not in page and "comment-count" not in page
        assert fetch(f"/comments/{article.id}/write/").status_code == 404

    def test_disqus_embed_with_its_csp_only_there(self, article, fetch, publish):
        """A Disqus site's article page loads our embed script and allows Disqus in its
        CSP; other sites' pages keep the strict policy."""
        set_mode(article.site, mode=SiteComments.Mode.DISQUS, disqus_shortname="spacewar-test")
        response = fetch(article.path)
        page = response.content.decode()
        assert 'id="disqus_thread"' in page and 'data-shortname="spacewar-test"' in page
        assert "/static/comments/disqus.js" in page
        assert "<script>" not in page.replace('<script type="application/ld+json">', "")
        csp = response["Content-Security-Policy"]
        assert "https://spacewar-test.disqus.com" in csp and "frame-src" in csp
        other = publish("A satellite story", section="satellites").placements.get()
        other_csp = fetch(other.path, host="spacedaily.localhost")["Content-Security-Policy"]
        assert "disqus" not in other_csp

    def test_disqus_needs_a_shortname(self, network, war_site):
        """The database refuses Disqus mode without a shortname."""
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            SiteComments.objects.create(site=war_site, mode=SiteComments.Mode.DISQUS)
