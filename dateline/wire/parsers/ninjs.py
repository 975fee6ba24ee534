"""IPTC ninjs 1.x, 2.x and 3.x (JSON). 3.x moved headline, body and description into
lists of objects with roles; both shapes are read."""

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


@register("ninjs")
class NinjsParser(Parser):
    format = "ninjs"
    priority = 30

    def sniff(self, data, root):
        if root is not None or not data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"{"):
            return False
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return False
        return isinstance(document, dict) and ("uri" in document or "guid" in document)

    def parse(self, data, root):
        try:
            document = json.loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            raise ParseError(f"not valid JSON ({error})") from None
        guid = document.get("uri") or document.get("guid") or ""
        if not isinstance(guid, str) or not guid.strip():
            raise ParseError("ninjs document has no uri (a non-empty string)")
        guid = guid.strip()
        headline = document.get("headline") or _first_value(document.get("headlines"))
        if not isinstance(headline, str | None):
            raise ParseError(f"ninjs headline is a {type(headline).__name__}, not text")
        body = document.get("body_html") or ""
        if not body and isinstance(document.get("bodies"), list):
            html = [
                b for b in document["bodies"] if "html" in str(b.get("contenttype", "text/html"))
            ]
            body = str(html[0].get("value", "")) if html else ""
        if body:
            body_html, signoff = finish_body(body)
        else:
            text = document.get("body_text") or _first_value(document.get("bodies"))
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
        if not located and isinstance(document.get("places"), list) and document["places"]:
            located = (
                document["places"][0].get("name", "")
                if isinstance(document["places"][0], dict)
                else ""
            )
        subjects = [
            {"code": str(s.get("code") or s.get("uri") or ""), "name": str(s.get("name", ""))}
            for s in document.get("subject") or document.get("subjects") or []
            if isinstance(s, dict)
        ]
        keywords = [str(k) for k in document.get("keywords") or [] if isinstance(k, str | int)]
        status = str(document.get("pubstatus") or "usable").lower()
        # No version: the pool versions it by content, as for feeds.
        version = None if document.get("version") is None else version_of(document["version"])
        item = ParsedItem(
            guid=guid,
            version=version,
            headline=clean_text(str(headline or "")),
            byline=byline,
            dateline_place=clean_text(str(located)),
            dateline_at=parse_time(document.get("firstcreated") or document.get("versioncreated")),
            language=str(document.get("language") or ""),
            urgency=int_or_none(document.get("urgency")),
            subjects=subjects,
            keywords=keywords,
            body_html=body_html,
            signoff=signoff,
            ednote=clean_text(str(document.get("ednote") or "")),
            pub_status=status if status in ("usable", "withheld", "canceled") else "usable",
        )
        return [apply_embargo(item, document.get("embargoed"))]
