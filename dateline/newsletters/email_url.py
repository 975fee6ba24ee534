"""The default mailer (Django 6.1 MAILERS) from one ``EMAIL_URL`` (read by the settings modules; imports no models).

smtp://[user:password@]host[:port]     plain SMTP (port 25 by default)
smtp+tls://...                         SMTP with STARTTLS (587 by default)
smtps://...                            SMTP over TLS (465 by default)
anymail://<esp>                        an e-mail service through django-anymail, e.g.
                                       anymail://postmark; its keys come from the
                                       environment (ANYMAIL_POSTMARK_SERVER_TOKEN, ...)
console://  locmem://                  print the mail / keep it in memory (development)
"""

from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP_BACKEND = "dateline.newsletters.mail.SMTPBackend"
# The services django-anymail supports that we have tried; any other anymail module
# name works too (anymail://<module>), this list only documents the usual ones.
KNOWN_ESPS = ("amazon_ses", "brevo", "mailgun", "mailjet", "postmark", "resend", "sendgrid")


def mailer_from_url(url: str) -> dict:
    """The MAILERS entry (Django 6.1) for ``url``; a clear error for anything else."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in ("smtp", "smtp+tls", "smtps"):
        if not parts.hostname:
            raise ImproperlyConfigured(
                f"EMAIL_URL {scheme}:// needs a host, e.g. smtp://127.0.0.1:25"
            )
        default_port = {"smtp": 25, "smtp+tls": 587, "smtps": 465}[scheme]
        return {
            "BACKEND": SMTP_BACKEND,
            "OPTIONS": {
                "host": parts.hostname,
                "port": parts.port or default_port,
                "username": unquote(parts.username or ""),
                "password": unquote(parts.password or ""),
                "use_tls": scheme == "smtp+tls",
                "use_ssl": scheme == "smtps",
                "timeout": 30,
            },
        }
    if scheme == "anymail":
        esp = (parts.hostname or "").replace("-", "_")
        if not esp.isidentifier():
            raise ImproperlyConfigured(
                f"EMAIL_URL anymail:// names the service, e.g. anymail://postmark "
                f"(one of {', '.join(KNOWN_ESPS)}, or another django-anymail backend)."
            )
        return {"BACKEND": f"anymail.backends.{esp}.EmailBackend"}
    if scheme == "console":
        return {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    raise ImproperlyConfigured(
        f"EMAIL_URL must start with smtp://, smtp+tls://, smtps://, anymail://, console:// "
        f"or locmem:// (got {scheme or 'no scheme'}://); see docs/operations.md."
    )
