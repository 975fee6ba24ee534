"""Building and sending the network's mail.

- ``SMTPBackend``: Django's SMTP backend (settings from EMAIL_URL) that signs every
  message with DKIM when a key is configured, and can send pre-built bytes over its
  open connection (``send_raw``) for the newsletter's bulk path.
- ``IssueMessage``: an issue rendered once into the bytes of a multipart/alternative
  message with per-recipient holes (address, Message-ID, the links); each
  recipient's message is a few string substitutions and one quoted-printable pass
  in C, not a run of the ``email`` package (~4x faster, see docs/benchmarks.md).
"""

import binascii
import functools
import secrets
import smtplib
from email.header import Header
from email.policy import SMTP
from email.utils import formataddr, formatdate

import dkim
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends import smtp

# Headers covered by the signature (RFC 6376 §5.4.1 recommends From, Subject, Date,
# To, Message-ID, the MIME headers; RFC 8058 §4 requires List-Unsubscribe and
# List-Unsubscribe-Post to be signed for one-click unsubscribe).
DKIM_HEADERS = [
    b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type",
    b"list-id", b"list-unsubscribe", b"list-unsubscribe-post",
]  # fmt: skip


class DKIMSigner:
    """Signs message bytes with the key named by DATELINE_DKIM_KEY_FILE (PEM, RSA),
    for DATELINE_DKIM_DOMAIN with DATELINE_DKIM_SELECTOR (relaxed/relaxed)."""

    def __init__(self, *, private_key: bytes, selector: str, domain: str):
        self.private_key, self.selector, self.domain = private_key, selector, domain

    @classmethod
    def from_settings(cls) -> "DKIMSigner | None":
        path = getattr(settings, "DATELINE_DKIM_KEY_FILE", "")
        if not path:
            return None
        selector = getattr(settings, "DATELINE_DKIM_SELECTOR", "")
        domain = getattr(settings, "DATELINE_DKIM_DOMAIN", "")
        if not (selector and domain):
            raise ImproperlyConfigured(
                "DATELINE_DKIM_KEY_FILE is set: also set DATELINE_DKIM_SELECTOR and "
                "DATELINE_DKIM_DOMAIN (the DNS name <selector>._domainkey.<domain> holds the key)."
            )
        return cls(private_key=_read_key(path), selector=selector, domain=domain)

    def sign(self, message: bytes) -> bytes:
        signature = dkim.sign(
            message,
            self.selector.encode(),
            self.domain.encode(),
            self.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=DKIM_HEADERS,
        )
        return signature + message


@functools.cache
def _read_key(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as error:
        raise ImproperlyConfigured(
            f"DATELINE_DKIM_KEY_FILE {path}: cannot be read ({error.strerror})"
        ) from error


class SMTPBackend(smtp.EmailBackend):
    """Django's SMTP backend with DKIM signing (when configured) and ``send_raw``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.signer = DKIMSigner.from_settings()

    def _send(self, email_message):
        if not email_message.recipients():
            return False
        from_email = self.prep_address(email_message.from_email)
        recipients = [self.prep_address(addr) for addr in email_message.recipients()]
        data = email_message.message(policy=SMTP).as_bytes()
        try:
            self.send_raw(from_email, recipients, data)
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True

    def send_raw(self, from_addr: str, to_addrs: list[str], data: bytes) -> None:
        """Send pre-built message bytes (CRLF line ends) over the open connection."""
        if self.signer is not None:
            data = self.signer.sign(data)
        self.connection.sendmail(from_addr, to_addrs, data)


def _qp(text: str) -> bytes:
    # binascii's quoted-printable (RFC 2045 §6.7) in C; CRLF line ends for SMTP.
    return binascii.b2a_qp(text.encode(), istext=True).replace(b"\n", b"\r\n")


class _QPTemplate:
    """A text encoded quoted-printable once, except the lines holding holes.

    Quoted-printable encodes line by line (a soft break never crosses a hard one,
    RFC 2045 §6.7 rule 5), so the lines without a hole are encoded once for every
    recipient and only the few lines with a link are encoded per message."""

    def __init__(self, text: str, holes: tuple[str, ...]):
        self.parts: list[bytes | str] = []
        static: list[str] = []
        for line in text.splitlines(keepends=True):
            if any(hole in line for hole in holes):
                if static:
                    self.parts.append(_qp("".join(static)))
                    static = []
                self.parts.append(line)
            else:
                static.append(line)
        if static:
            self.parts.append(_qp("".join(static)))

    def fill(self, values: dict[str, str]) -> bytes:
        out = []
        for part in self.parts:
            if isinstance(part, bytes):
                out.append(part)
            else:
                for hole, value in values.items():
                    part = part.replace(hole, value)
                out.append(_qp(part))
        return b"".join(out)


def _header(value: str) -> str:
    # RFC 2047 encoded words, folded with CRLF (the default fold is a bare LF).
    return value if value.isascii() else Header(value, "utf-8").encode(linesep="\r\n")


PREFERENCES_HOLE = "%%PREFERENCES_URL%%"
UNSUBSCRIBE_HOLE = "%%UNSUBSCRIBE_URL%%"


class IssueMessage:
    """One issue's message, rendered once; ``build`` fills in one recipient."""

    def __init__(
        self,
        *,
        from_name: str,
        from_addr: str,
        subject: str,
        html: str,
        text: str,
        list_id: str,
        message_id_domain: str,
        unsubscribe_mailto: str = "",
    ):
        self.from_addr, self.subject, self.html, self.text = from_addr, subject, html, text
        self.from_header = formataddr((from_name, from_addr), charset="utf-8")
        self.list_id, self.domain = list_id, message_id_domain
        self.unsubscribe_mailto = unsubscribe_mailto
        self.boundary = "=_dateline_" + secrets.token_hex(12)
        self.date = formatdate(localtime=False)
        self._subject_header = _header(subject)
        holes = (PREFERENCES_HOLE, UNSUBSCRIBE_HOLE)
        self._text_qp = _QPTemplate(text, holes)
        self._html_qp = _QPTemplate(html, holes)

    def message_id(self, *, issue_id: int, subscriber_id: int) -> str:
        return f"<issue-{issue_id}.{subscriber_id}@{self.domain}>"

    def headers(self, *, to: str, message_id: str, unsubscribe_url: str) -> dict[str, str]:
        """The per-list headers (RFC 2369, RFC 2919, RFC 8058)."""
        unsubscribe = f"<{unsubscribe_url}>"
        if self.unsubscribe_mailto:
            unsubscribe += f", <mailto:{self.unsubscribe_mailto}?subject=unsubscribe>"
        return {
            "List-Id": self.list_id,
            "List-Unsubscribe": unsubscribe,
            # RFC 8058 §3.1: the POST body a mail client sends to the https URI.
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Message-ID": message_id,
        }

    def build(self, *, to: str, message_id: str, preferences_url: str, unsubscribe_url: str):
        """The message bytes for one recipient (CRLF line ends, ready for SMTP)."""
        values = {PREFERENCES_HOLE: preferences_url, UNSUBSCRIBE_HOLE: unsubscribe_url}
        head = [
            f"From: {self.from_header}",
            f"To: {to}",
            f"Subject: {self._subject_header}",
            f"Date: {self.date}",
            f"Message-ID: {message_id}",
            "MIME-Version: 1.0",
        ]
        for name, value in self.headers(
            to=to, message_id=message_id, unsubscribe_url=unsubscribe_url
        ).items():
            if name != "Message-ID":
                head.append(f"{name}: {value}")
        head.append(f'Content-Type: multipart/alternative; boundary="{self.boundary}"')
        part_head = "Content-Type: text/{}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        return b"".join(
            [
                "\r\n".join(head).encode(),
                b"\r\n\r\n",
                f"--{self.boundary}\r\n{part_head.format('plain')}".encode(),
                self._text_qp.fill(values),
                f"\r\n--{self.boundary}\r\n{part_head.format('html')}".encode(),
                self._html_qp.fill(values),
                f"\r\n--{self.boundary}--\r\n".encode(),
            ]
        )

    def build_email(self, *, to, message_id, preferences_url, unsubscribe_url):
        """The same message as a Django EmailMessage, for backends that take those
        (django-anymail's services, locmem in tests)."""
        text = self.text.replace(PREFERENCES_HOLE, preferences_url).replace(
            UNSUBSCRIBE_HOLE, unsubscribe_url
        )
        html = self.html.replace(PREFERENCES_HOLE, preferences_url).replace(
            UNSUBSCRIBE_HOLE, unsubscribe_url
        )
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=text,
            from_email=self.from_header,
            to=[to],
            headers=self.headers(to=to, message_id=message_id, unsubscribe_url=unsubscribe_url),
        )
        message.attach_alternative(html, "text/html")
        return message
