"""NITF 3.x, with or without its namespace (http://iptc.org/std/NITF/2006-10-18/)."""

from .base import (
    ParsedItem,
    ParseError,
    Parser,
    apply_embargo,
    body_html_from_elements,
    clean_text,
    int_or_none,
    local_name,
    parse_time,
    register,
    version_of,
)


def _child(element, tag):
    """``element``'s first child ``tag`` ("{*}name"), as element.find(tag) gives it:
    lxml's iterchildren matches in C, where find() sets up an ElementPath search."""
    return next(element.iterchildren(tag), None) if element is not None else None


def _language_meta(head) -> str:
    meta = head.find("{*}meta[@name='language']") if head is not None else None
    return meta.get("content", "") if meta is not None else ""


def _text(element, path):
    found = element.find(path) if element is not None else None
    return clean_text("".join(found.itertext())) if found is not None else ""


@register("nitf")
class NITFParser(Parser):
    format = "nitf"
    priority = 20

    def sniff(self, data, root):
        return root is not None and local_name(root) == "nitf"

    def parse(self, data, root):
        head = _child(root, "{*}head")
        docdata = _child(head, "{*}docdata")
        body = _child(root, "{*}body")
        body_head = _child(body, "{*}body.head")
        doc_id = _child(docdata, "{*}doc-id")
        guid = doc_id.get("id-string", "").strip() if doc_id is not None else ""
        if not guid:
            raise ParseError("NITF document has no docdata/doc-id id-string to identify it")
        du_key = _child(docdata, "{*}du-key")
        version = version_of(du_key.get("version") if du_key is not None else None)
        urgency = _child(docdata, "{*}urgency")
        release = _child(docdata, "{*}date.release")
        issue = _child(docdata, "{*}date.issue")
        status = (docdata.get("management-status") or "usable").lower()
        content = _child(body, "{*}body.content")
        body_html, signoff = body_html_from_elements(content) if content is not None else ("", "")
        tagline = _text(body, "{*}body.end/{*}tagline")
        byline = _text(body_head, "{*}byline")
        if byline.lower().startswith("by "):
            byline = byline[3:].strip()
        keywords = [
            k.get("key", "").strip()
            for k in docdata.findall("{*}key-list/{*}keyword")
            if k.get("key", "").strip()
        ]
        subjects = [
            {"code": s.get("tobject.subject.refnum", ""), "name": s.get("tobject.subject.type", "")}
            for s in root.findall("{*}head/{*}tobject/{*}tobject.subject")
        ]
        ednote = _child(docdata, "{*}ed-msg")
        items = [
            ParsedItem(
                guid=guid,
                version=version,
                headline=_text(body_head, "{*}hedline/{*}hl1") or _text(head, "{*}title"),
                byline=byline,
                dateline_place=_text(body_head, "{*}dateline/{*}location/{*}city")
                or _text(body_head, "{*}dateline/{*}location"),
                dateline_at=parse_time(issue.get("norm") if issue is not None else None),
                language=root.get("{http://www.w3.org/XML/1998/namespace}lang", "")
                or root.get("baselang", "")  # NITF 3.x's own attribute for it
                or _language_meta(head),
                # NITF urgency runs 1 (most urgent) to 8.
                urgency=int_or_none(urgency.get("ed-urg") if urgency is not None else None, high=8),
                subjects=subjects,
                keywords=keywords,
                body_html=body_html,
                signoff=tagline or signoff,
                ednote=ednote.get("info", "") if ednote is not None else "",
                pub_status="canceled"
                if status in ("canceled", "cancelled")
                else ("withheld" if status == "withheld" else "usable"),
            )
        ]
        if status == "embargoed":
            apply_embargo(items[0], release.get("norm") if release is not None else "missing")
        return items
