"""Akismet's comment-check against a stand-in on loopback (Akismet REST API 1.1)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from dateline.comments import services
from dateline.comments.models import Comment, SiteComments


class AkismetStandIn:
    def __init__(self):
        self.requests: list[dict] = []
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                standin.requests.append({"path": self.path, **form})
                if form.get("api_key") != "test-key":
                    answer, extra = b"invalid", {"X-akismet-debug-help": "bad key"}
                else:
                    answer = (
                        b"true" if "cheap pills" in form.get("comment_content", "") else b"false"
                    )
                    extra = {}
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/1.1/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def akismet(settings):
    standin = AkismetStandIn()
    settings.AKISMET_API_KEY = "test-key"
    settings.AKISMET_API_URL = standin.url
    yield standin
    standin.stop()


def submit(article, body):
    return services.comment_submit(
        site=article.site, story_id=article.story_id, parent=None, author_name="A",
        author_email="a@example.org", body=body, verified=True, ip_address="192.0.2.7",
        user_agent="Test/1.0", permalink="http://spacewar.localhost" + article.path,
    )  # fmt: skip


class AkismetTests:
    def test_off_without_a_key(self, article, settings):
        """No AKISMET_API_KEY: no check, no verdict."""
        settings.AKISMET_API_KEY = ""
        assert submit(article, "cheap pills").spam_verdict == ""

    def test_spam_is_kept_out_of_sight(self, akismet, article, fetch):
        """Akismet's "true" marks the comment spam: kept for the record, never shown."""
        services.site_comments_save(
            site_comments=SiteComments(site=article.site, moderation=SiteComments.Moderation.POST)
        )
        comment = submit(article, "Buy cheap pills now")
        assert comment.status == Comment.Status.SPAM
        assert comment.spam_verdict == "akismet:spam"
        sent = akismet.requests[0]
        assert sent["path"] == "/1.1/comment-check"
        assert sent["user_ip"] == "192.0.2.7" and sent["comment_type"] == "comment"
        assert sent["blog"] == "http://spacewar.localhost/"
        assert "cheap pills" not in fetch(article.path).content.decode()

    def test_ham_follows_the_site_moderation(self, akismet, article):
        """Akismet's "false" lets post-moderation publish at once."""
        services.site_comments_save(
            site_comments=SiteComments(site=article.site, moderation=SiteComments.Moderation.POST)
        )
        comment = submit(article, "A fair point about the story.")
        assert comment.status == Comment.Status.APPROVED and comment.spam_verdict == "akismet:ham"

    def test_unclear_answer_goes_to_moderation(self, akismet, article, settings):
        """A refused key (or no answer) sends even post-moderated comments to the queue."""
        services.site_comments_save(
            site_comments=SiteComments(site=article.site, moderation=SiteComments.Moderation.POST)
        )
        settings.AKISMET_API_KEY = "wrong-key"
        comment = submit(article, "Hello.")
        assert comment.status == Comment.Status.PENDING and comment.spam_verdict == "unchecked"
        akismet.stop()
        settings.AKISMET_API_KEY = "test-key"
        comment = submit(article, "Hello again.")
        assert comment.status == Comment.Status.PENDING


class ClientAddressTests:
    def _request(self, remote, forwarded=None):
        from django.test import RequestFactory

        headers = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            headers["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().get("/", **headers)

    def test_without_trusted_proxies_the_peer_counts(self, settings):
        """With no trusted proxy configured, X-Forwarded-For is ignored (it could be forged)."""
        from dateline.ratelimit import client_ip

        settings.DATELINE_TRUSTED_PROXIES = []
        assert client_ip(self._request("198.51.100.9", "203.0.113.5")) == "198.51.100.9"

    def test_behind_a_trusted_proxy(self, settings):
        """Behind a trusted proxy, the right-most untrusted X-Forwarded-For entry counts."""
        from dateline.ratelimit import client_ip

        settings.DATELINE_TRUSTED_PROXIES = ["10.0.0.0/8"]
        # The client claims 1.2.3.4; the proxy appended the address it saw.
        request = self._request("10.0.0.2", "1.2.3.4, 203.0.113.5, 10.0.0.3")
        assert client_ip(request) == "203.0.113.5"
        assert client_ip(self._request("10.0.0.2", "not-an-ip")) == "10.0.0.2"
        assert client_ip(self._request("198.51.100.9", "203.0.113.5")) == "198.51.100.9"
