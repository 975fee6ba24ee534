"""IPTC ninjs 1.x, 2.x and 3.x (JSON). 2.x moved headline, body and description into
lists of objects with roles, and 3.x spells its properties in camelCase (pubStatus,
firstCreated, edNote, bodies' contentType...); every shape and spelling is read."""

import functools
import json

from .base import (
    ParsedItem,
    ParseError,
    Parser,
    apply_embargo,
    body_html_from_text,
    clean_text,
    finish_body,
    int_or_none,
    parse_time,
    register,
    version_of,
)


def _first_value(entries, role_preference=("main", "default", "")):
    if isinstance(entries, str):
        return entries
    if not isinstance(entries, list):
        return ""
    by_role = {str(e.get("role", "")): e for e in entries if isinstance(e, dict)}
    for role in role_preference:
        if role in by_role:
            return str(by_role[role].get("value", ""))
    return str(entries[0].get("value", "")) if entries and isinstance(entries[0], dict) else ""


@functools.lru_cache(maxsize=1)
def _decoded(data: bytes):
    """The JSON document in ``data``. sniff decodes a delivery to tell ninjs from other
    JSON; parse, asked next for the same bytes, finds it here instead of decoding them
    again. Nothing takes the document apart in place, so sharing it is safe."""
    return json.loads(data)


@register("ninjs")
class NinjsParser(Parser):
    format = "ninjs"
    priority = 30

    def sniff(self, data, root):
        if root is not None or not data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
            return False
        try:
            document = _decoded(data)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return False
        return isinstance(document, dict) and ("uri" in document or "guid" in document)

    def parse(self, data, root):
        try:
            document = _decoded(data)
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            raise ParseError(f"not valid JSON ({error})") from None
        fields = _Fields(document)
        guid = fields.text("uri", "guid")
        if not guid.strip():
            raise ParseError("ninjs document has no uri (a non-empty string)")
        guid = guid.strip()
        headline = fields.text("headline") or _first_value(fields.list("headlines"))
        body = fields.text("body_html")
        bodies = [b for b in fields.list("bodies") if isinstance(b, dict)]
        if not body and bodies:
            html = [b for b in bodies if "html" in _content_type(b, default="text/html")]
            body = str(html[0].get("value", "")) if html else ""
        if body:
            body_html, signoff = finish_body(body)
        else:
            text = fields.text("body_text") or _first_value(bodies)
            body_html, signoff = body_html_from_text(text)
        byline = document.get("byline") or document.get("by") or ""
        if isinstance(byline, list):
            byline = ", ".join(str(b.get("name", "")) for b in byline if isinstance(b, dict))
        byline = clean_text(str(byline))
        if byline.lower().startswith("by "):
            byline = byline[3:].strip()
        located = document.get("located") or ""
        if isinstance(located, dict):
            located = located.get("name", "")
        places = fields.list("places")
        if not located and places and isinstance(places[0], dict):
            located = places[0].get("name", "")
        subjects = [
            {
                "code": str(s.get("code") or s.get("uri") or s.get("literal") or ""),
                "name": str(s.get("name", "")),
            }
            for s in fields.list("subject", "subjects")
            if isinstance(s, dict)
        ]
        keywords = [str(k) for k in fields.list("keywords") if isinstance(k, str | int)]
        status = fields.text("pubstatus", "pubStatus").lower() or "usable"
        # No version: the pool versions it by content, as for feeds.
        version = None if document.get("version") is None else version_of(document["version"])
        created = fields.text("firstcreated", "firstCreated", "versioncreated", "versionCreated")
        item = ParsedItem(
            guid=guid,
            version=version,
            headline=clean_text(headline),
            byline=byline,
            dateline_place=clean_text(str(located)),
            dateline_at=parse_time(created),
            language=fields.text("language"),
            urgency=int_or_none(document.get("urgency")),
            subjects=subjects,
            keywords=keywords,
            body_html=body_html,
            signoff=signoff,
            ednote=clean_text(fields.text("ednote", "edNote")),
            pub_status=status if status in ("usable", "withheld", "canceled") else "usable",
            version_created=parse_time(fields.text("versioncreated", "versionCreated")),
        )
        embargo = next(
            (document[name] for name in ("embargoed", "embargoedUntil") if name in document), None
        )
        return [apply_embargo(item, embargo)]


def _content_type(body: dict, *, default: str) -> str:
    # ninjs 1.x and 2.x spell it contenttype, 3.x contentType.
    return str(body.get("contenttype") or body.get("contentType") or default).lower()


class _Fields:
    """A ninjs document's properties by any of their names across versions (2.x lower
    case, 3.x camelCase), with their types checked: a property of the wrong type is
    refused with its name, not a Python error."""

    def __init__(self, document):
        if not isinstance(document, dict):
            raise ParseError("a ninjs document is a JSON object")
        self.document = document

    def _get(self, names):
        for name in names:
            value = self.document.get(name)
            if value is not None:
                return name, value
        return None, None

    def text(self, *names) -> str:
        name, value = self._get(names)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise ParseError(f"ninjs property {name!r} is {_kind(value)}, not text")
        return value

    def list(self, *names) -> list:
        name, value = self._get(names)
        if value is None:
            return []
        if not isinstance(value, list):
            raise ParseError(f"ninjs property {name!r} is {_kind(value)}, not a list")
        return value


def _kind(value) -> str:
    kinds = {dict: "an object", list: "a list", bool: "true or false", str: "text"}
    return kinds.get(type(value), "a number")
