"""The helpers of the plain-SQL selectors (pages, feeds, search, wire): run a query
with datetimes adapted as the ORM stores them, and read datetimes back aware; and
of the plain-SQL writes of the ingest path: insert many rows at once."""

import operator
from datetime import UTC, datetime

from django.db import connection, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def fetch_rows(sql: str, params) -> list[tuple]:
    """Run ``sql``; datetime parameters are adapted as the ORM stores them (naive UTC
    text on SQLite), so comparisons with stored values hold on both engines."""
    adapt = connection.ops.adapt_datetimefield_value
    params = [adapt(value) if isinstance(value, datetime) else value for value in params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fetch_in(sql: str, params, values, *, chunk: int = 400) -> list[tuple]:
    """Run ``sql`` (one ``IN ({})`` to fill) for ``values`` in chunks that stay under
    SQLite's variable limit, after ``params``; all rows. The plain-SQL form of a
    ``filter(field__in=...)`` on the ingest path, where building the ORM query cost
    more than running it."""
    rows = []
    values = list(values)
    for start in range(0, len(values), chunk):
        part = values[start : start + chunk]
        rows.extend(fetch_rows(sql.format(", ".join(["%s"] * len(part))), [*params, *part]))
    return rows


def aware(value):
    """SQLite hands back naive UTC datetimes (or text); PostgreSQL aware ones."""
    if value is None or isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=UTC)


def insert_rows(model, rows, *, ignore_conflicts: bool = False) -> None:
    """INSERT many rows of ``model`` at once. ``rows`` are plain objects with an
    attribute per concrete field (``attname``: ``source_id``, not ``source``), the
    primary key excepted when it is automatic. Like ``bulk_create`` without its
    per-field Python work, which costs more than the insert itself at backfill
    rates; values are adapted the way the ORM adapts them (datetimes, JSON), and
    ``auto_now``/``auto_now_add`` fields get the current time. Ids are not read
    back: callers look rows up by a natural key."""
    if not rows:
        return
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField))
    ]
    # Columns in the order the values are made: as they are, then datetimes, then
    # JSON, then the automatic times (one attrgetter a kind: a Python call per row
    # and kind, not per field).
    automatic = [
        f for f in fields if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False)
    ]
    json_fields = [f for f in fields if isinstance(f, models.JSONField) and f not in automatic]
    datetimes = [f for f in fields if isinstance(f, models.DateTimeField) and f not in automatic]
    plain = [
        f for f in fields if f not in automatic and f not in json_fields and f not in datetimes
    ]
    ordered = plain + datetimes + json_fields + automatic
    columns = ", ".join(ops.quote_name(f.column) for f in ordered)
    placeholders = ", ".join(["%s"] * len(ordered))
    table = ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 - model metadata only
    if ignore_conflicts:
        sql += " ON CONFLICT DO NOTHING"  # SQLite 3.24+, PostgreSQL

    def getter(kind):
        if not kind:
            return lambda row: ()
        get = operator.attrgetter(*(f.attname for f in kind))
        return get if len(kind) > 1 else lambda row: (get(row),)

    get_plain, get_datetimes, get_json = getter(plain), getter(datetimes), getter(json_fields)
    adapt_datetime, adapt_json = ops.adapt_datetimefield_value, ops.adapt_json_value
    encoders = [f.encoder for f in json_fields]
    empty_list = adapt_json([], None)  # adapted once: most JSON lists ingest writes are empty
    automatic_values = (now,) * len(automatic)
    values = [
        (
            *get_plain(row),
            *map(adapt_datetime, get_datetimes(row)),
            *(
                empty_list if value == [] else adapt_json(value, encoder)
                for value, encoder in zip(get_json(row), encoders, strict=True)
            ),
            *automatic_values,
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)
