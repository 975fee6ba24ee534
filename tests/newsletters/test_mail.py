"""An issue as a receiving system sees it: MIME structure, list headers (RFC 2369,
RFC 8058) and a DKIM signature verified with dkimpy as a receiver would."""

import base64

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from dateline.newsletters import services
from dateline.newsletters.email_url import mailer_from_url
from dateline.newsletters.sending import issue_send

from .conftest import parse


@pytest.fixture
def dkim_key(tmp_path, settings):
    """A fresh RSA key for example-selector._domainkey.spacewar.localhost, and the
    DNS lookup a receiver would make for it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    path = tmp_path / "dkim.pem"
    path.write_bytes(pem)
    settings.DATELINE_DKIM_KEY_FILE = str(path)
    settings.DATELINE_DKIM_SELECTOR = "example-selector"
    settings.DATELINE_DKIM_DOMAIN = "spacewar.localhost"
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dnsfunc(name, timeout=5):
        return record if name == b"example-selector._domainkey.spacewar.localhost." else None

    return dnsfunc


@pytest.fixture
def received(smtp_settings, war_newsletter, subscribers, publish):
    """Send a two-story issue to two subscribers; the raw messages the server got."""

    def send():
        subscribers(2)
        publish(
            "Radar upgrade for the northern fleet", section="missiles", teaser="A teaser & more."
        )
        publish("Élan for drone makers", section="drones")
        issue = services.issue_build(newsletter=war_newsletter, date=timezone.now().date())
        report = issue_send(issue_id=issue.id)
        assert report.finished and report.sent == 2
        return issue, [raw for _rcpts, raw in smtp_settings.handler_.messages]

    return send


@pytest.mark.django_db
class IssueMessageTests:
    def test_mime_structure_text_and_html(self, received):
        """Each message is multipart/alternative: text/plain then text/html, UTF-8."""
        _issue, messages = received()
        assert len(messages) == 2
        message = parse(messages[0])
        assert message.get_content_type() == "multipart/alternative"
        parts = [part.get_content_type() for part in message.iter_parts()]
        assert parts == ["text/plain", "text/html"]
        text = message.get_body(("plain",)).get_content()
        html = message.get_body(("html",)).get_content()
        assert "Élan for drone makers" in text and "Élan for drone makers" in html
        assert "A teaser & more." in text  # plain text is not HTML-escaped
        assert "A teaser &amp; more." in html
        # CSS inlined into the table layout; no stylesheet link to fetch.
        assert 'role="presentation"' in html and '<td class="story" style="' in html
        assert "<link" not in html

    def test_non_ascii_subject_survives(
        self, smtp_settings, dkim_key, war_newsletter, subscribers, publish
    ):
        """A long non-ASCII subject arrives intact (RFC 2047, CRLF folding) and signed."""
        subscribers(1)
        publish(
            "Überraschung: Défense antimissile à l'épreuve des drones d'attaque à longue portée"
        )
        issue = services.issue_build(newsletter=war_newsletter, date=timezone.now().date())
        issue_send(issue_id=issue.id)
        [(_rcpts, raw)] = smtp_settings.handler_.messages
        assert b"\n " not in raw.replace(b"\r\n", b"")  # no bare-LF folds
        assert parse(raw)["Subject"] == issue.subject
        assert dkim.verify(raw, dnsfunc=dkim_key)

    def test_list_headers_one_click(self, received):
        """List-Unsubscribe carries an https-shaped one-click URL for this recipient and
        List-Unsubscribe-Post says One-Click (RFC 8058 §3.1)."""
        issue, messages = received()
        seen = set()
        for raw in messages:
            message = parse(raw)
            assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            url = message["List-Unsubscribe"].strip("<>")
            assert url.startswith("http://spacewar.localhost/newsletters/unsubscribe/")
            assert message["List-Id"].endswith("<spacewar.newsletters.spacewar.localhost>")
            assert message["Message-ID"].startswith(f"<issue-{issue.id}.")
            text = message.get_body(("plain",)).get_content()
            assert f"Unsubscribe: {url}" in text
            seen.add(url)
        assert len(seen) == 2  # one token per recipient

    def test_dkim_signature_verifies_as_a_receiver_checks_it(self, dkim_key, received):
        """dkimpy's verify (with our DNS answer) accepts the signature; the signed
        headers include From and both List-Unsubscribe headers; an altered body fails."""
        _issue, messages = received()
        raw = messages[0]
        assert raw.startswith(b"DKIM-Signature:")
        assert dkim.verify(raw, dnsfunc=dkim_key)
        signature = parse(raw)["DKIM-Signature"].replace(" ", "").replace("\r\n", "")
        signed = dict(tag.split("=", 1) for tag in signature.split(";") if "=" in tag)["h"]
        assert {"from", "list-unsubscribe", "list-unsubscribe-post"} <= set(
            signed.lower().split(":")
        )
        tampered = raw.replace(b"Radar upgrade", b"Radar downgrade", 1)
        assert not dkim.verify(tampered, dnsfunc=dkim_key)


class EmailURLTests:
    def test_smtp_variants(self):
        """smtp://, smtp+tls:// and smtps:// set host, port, credentials and TLS."""
        plain = mailer_from_url("smtp://127.0.0.1:2525")["OPTIONS"]
        assert (plain["host"], plain["port"], plain["use_tls"], plain["use_ssl"]) == (
            "127.0.0.1", 2525, False, False,
        )  # fmt: skip
        tls = mailer_from_url("smtp+tls://user%40x:p%3Ass@mail.example.com")["OPTIONS"]
        assert (tls["port"], tls["username"], tls["password"], tls["use_tls"]) == (
            587, "user@x", "p:ss", True,
        )  # fmt: skip
        assert mailer_from_url("smtps://mail.example.com")["OPTIONS"]["use_ssl"] is True

    def test_anymail_service(self):
        """anymail://postmark chooses django-anymail's Postmark backend."""
        assert (
            mailer_from_url("anymail://postmark")["BACKEND"]
            == "anymail.backends.postmark.EmailBackend"
        )

    def test_bad_url_says_what_to_write(self):
        """An unknown scheme is refused with the accepted forms named."""
        with pytest.raises(ImproperlyConfigured, match="must start with smtp://"):
            mailer_from_url("http://mail.example.com")
        with pytest.raises(ImproperlyConfigured, match="needs a host"):
            mailer_from_url("smtp://")
