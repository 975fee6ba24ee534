"""The two helpers of the plain-SQL selectors (pages, feeds, search, wire): run a
query with datetimes adapted as the ORM stores them, and read datetimes back aware."""

from datetime import UTC, datetime

from django.db import connection
from django.utils.dateparse import parse_datetime


def fetch_rows(sql: str, params) -> list[tuple]:
    """Run ``sql``; datetime parameters are adapted as the ORM stores them (naive UTC
    text on SQLite), so comparisons with stored values hold on both engines."""
    adapt = connection.ops.adapt_datetimefield_value
    params = [adapt(value) if isinstance(value, datetime) else value for value in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def aware(value):
    """SQLite hands back naive UTC datetimes (or text); PostgreSQL aware ones."""
    if value is None or isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=UTC)
