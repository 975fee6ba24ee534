"""Verification mail through a real SMTP server on loopback (aiosmtpd)."""

import email
import email.policy
import logging
import socket

import pytest

from dateline.comments.models import Comment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """Accepts messages, or refuses every recipient when ``refuse`` is set."""

    def __init__(self, refuse=False):
        self.refuse = refuse
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller

    handler = Server()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 10},
        }
    }
    settings.DATELINE_COMMENTS_FROM_EMAIL = "comments@spacewar.example"
    yield handler
    controller.stop()


class VerificationMailTests:
    def test_mail_reaches_the_server(self, article, post_comment, smtp_server):
        """The magic link goes out by SMTP from the comments sender, to the reader only."""
        post_comment(article)
        (message,) = smtp_server.messages
        assert message["From"] == "comments@spacewar.example"
        assert message["To"] == "ada@example.org"
        assert message["Subject"] == "Confirm your comment on SpaceWar"
        body = message.get_body(preferencelist=("plain",)).get_content()
        assert "/comments/verify/" in body and "Ada Reader" in body

    def test_refused_mail_keeps_the_comment_and_logs_no_address(
        self, article, post_comment, smtp_server, caplog
    ):
        """A mail server that refuses loses nothing and the log names no address."""
        smtp_server.refuse = True
        with caplog.at_level(logging.WARNING, logger="dateline.comments"):
            response = post_comment(article, email="private.reader@example.org")
        assert response.status_code == 302
        comment = Comment.objects.get()
        assert comment.status == Comment.Status.UNVERIFIED
        assert f"comment {comment.id} not sent: SMTPRecipientsRefused" in caplog.text
        assert "private.reader" not in caplog.text
