"""E-mail settings from one ``EMAIL_URL`` (read by the settings modules; imports no models).

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


def email_settings(url: str) -> dict:
    """Django's EMAIL_* settings for ``url``; a clear error for anything else."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme in ("smtp", "smtp+tls", "smtps"):
        if not parts.hostname:
            raise ImproperlyConfigured(
                f"EMAIL_URL {scheme}:// needs a host, e.g. smtp://127.0.0.1:25"
            )
        default_port = {"smtp": 25, "smtp+tls": 587, "smtps": 465}[scheme]
        return {
            "EMAIL_BACKEND": SMTP_BACKEND,
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": parts.port or default_port,
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": scheme == "smtp+tls",
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_TIMEOUT": 30,
        }
    if scheme == "anymail":
        esp = (parts.hostname or "").replace("-", "_")
        if not esp.isidentifier():
            raise ImproperlyConfigured(
                f"EMAIL_URL anymail:// names the service, e.g. anymail://postmark "
                f"(one of {', '.join(KNOWN_ESPS)}, or another django-anymail backend)."
            )
        return {"EMAIL_BACKEND": f"anymail.backends.{esp}.EmailBackend"}
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    raise ImproperlyConfigured(
        f"EMAIL_URL must start with smtp://, smtp+tls://, smtps://, anymail://, console:// "
        f"or locmem:// (got {scheme or 'no scheme'}://); see docs/operations.md."
    )
