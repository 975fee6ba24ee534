"""Source credentials, encrypted at rest with a key from the environment.

DATELINE_CREDENTIALS_KEY holds one or more Fernet keys, comma-separated, newest
first (rotation: add the new key in front, re-save the sources, drop the old one).
Generate one with:
    python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


def _fernet() -> MultiFernet:
    keys = [k.strip() for k in (settings.DATELINE_CREDENTIALS_KEY or "").split(",") if k.strip()]
    if not keys:
        raise ImproperlyConfigured(
            "Set DATELINE_CREDENTIALS_KEY to a Fernet key to store source credentials "
            "(see dateline/wire/crypto.py for how to generate one)."
        )
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            f"DATELINE_CREDENTIALS_KEY is not a Fernet key: {error}"
        ) from None


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored credential cannot be decrypted with DATELINE_CREDENTIALS_KEY "
            "(was the key changed without keeping the old one after it?)."
        ) from None


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; reads give back the plain text."""

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
