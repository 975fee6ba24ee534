"""Logging: one line per event, as text or (DATELINE_LOG_FORMAT=json) as JSON, each
carrying the request id of the request it belongs to.

Nothing sensitive is written: the formatters pass every line through ``redact``
(e-mail addresses, bearer tokens, ``token=``/``secret=``-style values), and the
request objects Django attaches to its own log records (their repr shows the query
string) are left out of JSON lines.

Imported by the settings: nothing here may import Django models.
"""

import contextvars
import logging
import re

from pythonjsonlogger.json import JsonFormatter

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_REDACTIONS = [
    (re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"), "[email]"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), r"\1 [redacted]"),
    (
        re.compile(
            r"(?i)\b((?:access_|api_|auth_)?(?:token|secret|password|passwd|signature|key|sig))"
            r"(=|:\s*)[^\s&\"',;]+"
        ),
        r"\1\2[redacted]",
    ),
]
# Attributes of LogRecords that must not be serialised: Django's request logger
# attaches the request (its repr carries the query string) and the server's socket.
_DROPPED = {"request", "server_time", "status_code"}


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id.get()
        return True


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record):
        return redact(super().format(record))


class JSONFormatter(JsonFormatter):
    def __init__(self):
        super().__init__(
            "%(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",  # ISO 8601, UTC
        )

    def add_fields(self, log_record, record, message_dict):
        super().add_fields(log_record, record, message_dict)
        for key in _DROPPED:
            log_record.pop(key, None)

    def format(self, record):
        return redact(super().format(record))


def logging_config(log_format: str = "text", level: str = "INFO") -> dict:
    """The LOGGING setting: ``log_format`` is ``text`` or ``json``."""
    if log_format not in ("text", "json"):
        raise ValueError(f"DATELINE_LOG_FORMAT must be 'text' or 'json', not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {
            "text": {"()": TextFormatter},
            "json": {"()": JSONFormatter},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            "dateline": {"handlers": ["console"], "level": level, "propagate": False},
            # One line per request comes from dateline.request; Django's own would repeat it.
            "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        },
    }
