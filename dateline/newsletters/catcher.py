"""A local SMTP server (aiosmtpd) for the demo and the tests: it accepts every
message on loopback and keeps it (in the database, for the admin's "Caught mail"),
or counts it per recipient. Never for production."""

from email import message_from_bytes
from email.header import decode_header, make_header

from aiosmtpd.controller import Controller


class LoopbackController(Controller):
    """aiosmtpd's threaded controller on 127.0.0.1; port 0 takes a free port
    (read ``.port`` after ``start()``)."""

    def __init__(self, handler, port: int = 0, **kwargs):
        kwargs.setdefault("data_size_limit", 10 * 1024 * 1024)
        super().__init__(handler, hostname="127.0.0.1", port=port, **kwargs)

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


def subject_of(raw: bytes) -> str:
    message = message_from_bytes(raw)
    try:
        return str(make_header(decode_header(message.get("Subject", ""))))[:300]
    except (UnicodeDecodeError, LookupError):
        return message.get("Subject", "")[:300]


class StoringHandler:
    """Keeps each message in the database (CaughtMail)."""

    async def handle_DATA(self, server, session, envelope):
        from asgiref.sync import sync_to_async

        await sync_to_async(self.store, thread_sensitive=False)(envelope)
        return "250 Message accepted for delivery"

    def store(self, envelope):
        from django.db import close_old_connections

        from .models import CaughtMail

        close_old_connections()
        CaughtMail.objects.create(
            mail_from=envelope.mail_from[:300],
            recipients="\n".join(envelope.rcpt_tos),
            subject=subject_of(envelope.content),
            raw=envelope.content,
        )


class CountingHandler:
    """Counts messages per recipient (and keeps the last few for inspection)."""

    def __init__(self, keep: int = 0, refuse: set[str] | None = None):
        self.counts: dict[str, int] = {}
        self.messages: list[tuple[list[str], bytes]] = []
        self.keep = keep
        self.refuse = refuse or set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for rcpt in envelope.rcpt_tos:
            self.counts[rcpt] = self.counts.get(rcpt, 0) + 1
        if len(self.messages) < self.keep:
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"
