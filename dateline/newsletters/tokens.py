"""The signed tokens in our links (django.core.signing, keyed by SECRET_KEY).

A token names a subscriber by id *and* by the subscriber's random key, so a token
cannot act on anyone else, and it stops working when the subscriber is erased.
Confirmation tokens expire (DATELINE_NEWSLETTER_CONFIRM_DAYS); the links in issues
do not: RFC 8058 §3.2 expects an unsubscribe link to keep working."""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "dateline.newsletters.confirm"
MANAGE_SALT = "dateline.newsletters.manage"

_manage_signer = signing.Signer(salt=MANAGE_SALT)


@dataclass(frozen=True)
class TokenProblem:
    """Why a link does not work, in words for the reader."""

    reason: str  # "expired" or "invalid"


def confirm_token(*, subscriber_id: int, key: str) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(f"{subscriber_id}.{key}")


def manage_token(*, subscriber_id: int, key: str, issue_id: int = 0) -> str:
    return _manage_signer.sign(f"{subscriber_id}.{key}.{issue_id}")


def _subscriber(subscriber_id: str, key: str):
    from .models import Subscriber

    if not subscriber_id.isdigit() or len(subscriber_id) > 18:
        return None
    subscriber = Subscriber.objects.filter(pk=int(subscriber_id)).first()
    if subscriber is None or not _same(subscriber.key, key):
        return None
    return subscriber


def _same(a: str, b: str) -> bool:
    from django.utils.crypto import constant_time_compare

    return constant_time_compare(a, b)


def confirm_token_read(token: str):
    """The subscriber a confirmation token names, or a TokenProblem."""
    max_age = settings.DATELINE_NEWSLETTER_CONFIRM_DAYS * 86400
    try:
        value = signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        return TokenProblem("expired")
    except signing.BadSignature:
        return TokenProblem("invalid")
    subscriber_id, _, key = value.partition(".")
    return _subscriber(subscriber_id, key) or TokenProblem("invalid")


def manage_token_read(token: str):
    """(subscriber, issue id or 0) for a link from our mail, or a TokenProblem."""
    try:
        value = _manage_signer.unsign(token)
    except signing.BadSignature:
        return TokenProblem("invalid")
    subscriber_id, key, issue_id = (value.split(".") + ["", "", ""])[:3]
    subscriber = _subscriber(subscriber_id, key)
    if subscriber is None or not issue_id.isdigit():
        return TokenProblem("invalid")
    return subscriber, int(issue_id)
