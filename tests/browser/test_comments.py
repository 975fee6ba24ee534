"""Comments in headless Chromium: a reader posts, confirms by the e-mailed link (a
real SMTP server on loopback catches it), a moderator approves in the admin, the
comment is published; known XSS payloads stay inert on the page."""

import email
import email.policy
import re
import socket
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from dateline.comments import services
from dateline.comments.models import Comment
from dateline.desk.roles import roles_sync

XSS_PAYLOADS = [
    line
    for line in (Path(__file__).parents[1] / "comments" / "fixtures" / "xss_payloads.txt")
    .read_text()
    .splitlines()
    if line and not line.startswith("# ")
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Sink:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    backend = "django.core.mail.backends.smtp.EmailBackend"
    settings.MAILERS = {
        "default": {
            "BACKEND": backend,
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


def wait_for_message(sink, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not sink.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sink.messages, "no e-mail reached the SMTP server"
    return sink.messages[0]


class CommentBrowserTests:
    def test_post_verify_moderate_publish(
        self, live_server, browser, publish, smtp, artifacts, settings
    ):
        """A comment goes from the form through the e-mailed link and the admin queue to the page."""
        story = publish("Forces retake the last held town")
        moderator = get_user_model().objects.create_user(
            "moderator", "mod@example.org", "moderator-pw", is_staff=True
        )
        roles_sync()
        moderator.groups.add(Group.objects.get(name="moderator"))
        device = TOTPDevice.objects.create(user=moderator, name="phone", confirmed=True)
        port = urlsplit(live_server.url).port
        settings.DATELINE_PUBLIC_PORT = str(port)  # the e-mailed link names the public address
        base = f"http://spacewar.localhost:{port}"
        article_url = base + story.placements.get().path

        reader = browser.new_context()
        page = reader.new_page()
        page.goto(article_url)
        assert page.locator(".comment-count").inner_text() == "0 comments"
        page.get_by_role("link", name="Write a comment").click()
        page.get_by_label("Your name").fill("Ada Reader")
        page.get_by_label("Your e-mail").fill("ada@example.org")
        page.get_by_label("Your comment").fill("A clear account.\n\nThanks for the map.")
        page.get_by_role("button", name="Send comment").click()
        assert "Check your e-mail" in page.locator(".comment-state").inner_text()

        message = wait_for_message(smtp)
        assert message["To"] == "ada@example.org"
        text = message.get_body(preferencelist=("plain",)).get_content()
        link = re.search(r"http://\S+/comments/verify/\S+/", text).group(0)
        page.goto(link)
        page.get_by_role("button", name="Confirm my comment").click()
        assert "waits for a moderator" in page.locator(".comment-state").inner_text()
        assert any(c["name"] == "dateline_commenter" for c in reader.cookies())
        page.goto(article_url)
        assert "A clear account." not in page.content()

        desk = browser.new_context()
        admin = desk.new_page()
        admin.goto(f"{base}/admin/login/?next=/admin/comments/queuedcomment/")
        admin.get_by_label("Username").fill("moderator")
        admin.get_by_label("Password").fill("moderator-pw")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        admin.fill("#id_otp_token", f"{code:06d}")
        admin.get_by_role("button", name="Log in").click()
        admin.wait_for_url("**/admin/comments/queuedcomment/")
        row = admin.locator("#result_list tbody tr", has_text="A clear account.")
        row.locator("input[type=checkbox]").check()
        admin.select_option("select[name=action]", "action_approved")
        admin.get_by_role("button", name="Run").or_(admin.get_by_role("button", name="Go")).click()
        assert "1 comment(s) approved." in admin.locator(".messagelist").inner_text()
        desk.close()

        page.goto(article_url)
        comment = page.locator("#comments .comment").first
        assert comment.locator(".comment-author").inner_text() == "Ada Reader"
        assert comment.locator(".comment-body p").all_inner_texts() == [
            "A clear account.",
            "Thanks for the map.",
        ]
        assert page.locator(".comment-count").inner_text() == "1 comment"
        page.screenshot(path=str(artifacts / "article-comments.png"), full_page=True)

        # Remembered: the next comment from this browser needs no e-mail.
        page.get_by_role("link", name="Reply").click()
        page.get_by_label("Your name").fill("Ada Reader")
        page.get_by_label("Your e-mail").fill("ada@example.org")
        page.get_by_label("Your comment").fill("And a reply.")
        page.get_by_role("button", name="Send comment").click()
        assert "waits for a moderator" in page.locator(".comment-state").inner_text()
        assert len(smtp.messages) == 1
        reply = Comment.objects.get(body_source="And a reply.")
        assert reply.parent is not None and reply.status == Comment.Status.PENDING
        reader.close()

    def test_xss_payloads_stay_inert(self, live_server, browser, publish):
        """Known XSS payloads, published as comments, run nothing, even with CSP bypassed."""
        story = publish("A story readers attack")
        placement = story.placements.get()
        marker_payloads = [
            '<img src=x onerror="window.__xss=1">',
            "<script>window.__xss=2</script>",
            '<a id="jslink" href="javascript:window.__xss=3">click</a>',
            '<svg><animate onbegin="window.__xss=4" attributeName=x dur=1s>',
            '<iframe srcdoc="<script>parent.__xss=5</script>"></iframe>',
        ]
        for payload in [*XSS_PAYLOADS, *marker_payloads]:
            comment = services.comment_submit(
                site=placement.site, story_id=story.id, parent=None,
                author_name='<img src=x onerror="window.__xss=6">',
                author_email="x@example.org", body=payload, verified=True,
            )  # fmt: skip
            services.comment_approve(comment=comment, by=None)
        port = urlsplit(live_server.url).port

        # Without CSP, so that only the sanitising stands between payload and page.
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"http://spacewar.localhost:{port}{placement.path}")
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)  # let timers, animations and frames run
        for link in page.locator("#comments .comment-body a").all():
            link.hover()
        assert page.locator("#comments .comment").count() == len(XSS_PAYLOADS) + len(
            marker_payloads
        )
        assert (
            page.locator("#comments script, #comments img, #comments iframe, #comments svg").count()
            == 0
        )
        assert page.locator('#comments [href^="javascript" i]').count() == 0
        assert page.evaluate("window.__xss") is None
        assert dialogs == []
        context.close()


def _oidc_standin_module():
    """The loopback OpenID Connect provider of the comments tests, loaded by path."""
    import importlib.util

    path = Path(__file__).parents[1] / "comments" / "oidc_standin.py"
    spec = importlib.util.spec_from_file_location("oidc_standin", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class ReaderLoginAndShareBrowserTests:
    def test_social_login_then_comment(self, live_server, browser, publish):
        """In Chromium a reader signs in through the OpenID Connect provider on loopback
        (the page's CSP lets the login form lead there) and comments without e-mail."""
        from allauth.socialaccount.models import SocialApp

        oidc = _oidc_standin_module()
        standin = oidc.OIDCStandIn()
        try:
            SocialApp.objects.create(
                provider="openid_connect", provider_id="loopback", name="Loopback ID",
                client_id=oidc.CLIENT_ID, secret=oidc.CLIENT_SECRET,
                settings={"server_url": standin.issuer},
            )  # fmt: skip
            placement = publish("A story to discuss").placements.get()
            port = urlsplit(live_server.url).port
            page = browser.new_page()
            page.goto(f"http://spacewar.localhost:{port}/comments/{placement.id}/write/")
            page.get_by_role("button", name="Sign in with Loopback ID").click()
            page.wait_for_url(f"**/comments/{placement.id}/write/")
            assert "You are signed in as oidc.reader@example.org" in page.content()
            page.get_by_label("Your name").fill("Olga")
            page.get_by_label("Your comment").fill("Posted after a social login.")
            page.get_by_role("button", name="Send comment").click()
            assert "waits for a moderator" in page.locator(".comment-state").inner_text()
            comment = Comment.objects.get()
            assert comment.author_email == "oidc.reader@example.org"
            assert comment.status == Comment.Status.PENDING
            page.goto(f"http://spacewar.localhost:{port}/comments/{placement.id}/write/")
            page.get_by_role("button", name="Sign out").click()
            page.wait_for_load_state("load")
            page.goto(f"http://spacewar.localhost:{port}/comments/{placement.id}/write/")
            assert "Sign in with Loopback ID" in page.content()
            page.close()
        finally:
            standin.stop()

    def test_mastodon_share_reaches_the_readers_server(self, live_server, browser, publish):
        """The Mastodon link asks for the reader's server and the browser lands on its share page."""
        placement = publish("A story worth sharing").placements.get()
        port = urlsplit(live_server.url).port
        page = browser.new_page()
        # The reader's server, answered inside the browser: the test never leaves the machine.
        page.route(
            "https://mastodon.example/**",
            lambda route: route.fulfill(status=200, body="shared", content_type="text/plain"),
        )
        page.goto(f"http://spacewar.localhost:{port}{placement.path}")
        page.get_by_role("link", name="Mastodon").click()
        page.get_by_label("Your Mastodon server").fill("mastodon.example")
        page.get_by_role("button", name="Go to my server").click()
        page.wait_for_url("https://mastodon.example/share?**")
        text = parse_qs(urlsplit(page.url).query)["text"][0]
        assert text.startswith("A story worth sharing http://spacewar.localhost")
        assert text.endswith(placement.path)
        page.close()

    def test_disqus_embed_loads_under_its_csp(self, live_server, browser, publish):
        """On a Disqus site our own script loads Disqus's embed, which the page's CSP allows."""
        from dateline.comments import services as comment_services
        from dateline.comments.models import SiteComments

        placement = publish("A story on a Disqus site").placements.get()
        comment_services.site_comments_save(
            site_comments=SiteComments(
                site=placement.site, mode=SiteComments.Mode.DISQUS, disqus_shortname="spacewar-demo"
            )
        )
        port = urlsplit(live_server.url).port
        page = browser.new_page()
        violations = []
        page.on("console", lambda message: violations.append(message.text))
        # Disqus's script, answered inside the browser: it reports the page settings it got.
        page.route(
            "https://spacewar-demo.disqus.com/embed.js",
            lambda route: route.fulfill(
                status=200,
                content_type="application/javascript",
                body="var c = {page: {}}; window.disqus_config.call(c);"
                "document.getElementById('disqus_thread').dataset.loaded = c.page.identifier;",
            ),
        )
        page.goto(f"http://spacewar.localhost:{port}{placement.path}")
        page.wait_for_selector("#disqus_thread[data-loaded]", state="attached")
        assert page.locator("#disqus_thread").get_attribute("data-loaded") == (
            f"story-{placement.story_id}"
        )
        assert not [text for text in violations if "Content Security Policy" in text]
        page.close()
