"""IPTC NewsML-G2 (2.x): ``newsItem`` documents and ``newsMessage`` envelopes carrying
several items. Text bodies as inline NITF, inline XHTML or inline plain text.

Lenient by design: agencies' files are often invalid against the schema, so each
field is read where it is and missing ones stay empty."""

from lxml import etree

from .base import (
    ParsedItem,
    ParseError,
    Parser,
    body_html_from_elements,
    body_html_from_text,
    clean_text,
    int_or_none,
    parse_time,
    register,
)

NAR = "http://iptc.org/std/nar/2006-10-01/"


def _text(element, path):
    found = element.find(path) if element is not None else None
    return clean_text("".join(found.itertext())) if found is not None else ""


def _qcode_tail(value: str) -> str:
    return (value or "").rsplit(":", 1)[-1]


@register("newsml_g2")
class NewsMLG2Parser(Parser):
    format = "newsml_g2"
    priority = 10

    def sniff(self, data, root):
        return (
            root is not None
            and etree.QName(root).localname in ("newsItem", "newsMessage")
            and (etree.QName(root).namespace in (NAR, None))
        )

    def parse(self, data, root):
        if etree.QName(root).localname == "newsMessage":
            items = root.findall(".//{*}itemSet/{*}newsItem")
            if not items:
                raise ParseError("newsMessage carries no newsItem in its itemSet")
        else:
            items = [root]
        return [self.parse_item(item) for item in items]

    # Hooks an agency subclass may override -------------------------------------

    def guid(self, item) -> str:
        guid = (item.get("guid") or "").strip()
        if not guid:
            raise ParseError(f"newsItem at line {item.sourceline} has no guid attribute")
        return guid

    def version(self, item) -> int:
        version = int_or_none(item.get("version"), low=1, high=10**9)
        return version or 1

    def body(self, item) -> tuple[str, str]:
        content_set = item.find("{*}contentSet")
        if content_set is None:
            return "", ""
        for inline in content_set.findall("{*}inlineXML"):
            content_type = (inline.get("contenttype") or "").lower()
            if "nitf" in content_type or inline.find(".//{*}body.content") is not None:
                body = inline.find(".//{*}body.content")
                if body is not None:
                    return body_html_from_elements(body)
            xhtml_body = inline.find(".//{*}body")
            if xhtml_body is not None:
                return body_html_from_elements(xhtml_body)
            return body_html_from_elements(inline)
        for inline in content_set.findall("{*}inlineData"):
            return body_html_from_text(inline.text or "")
        return "", ""

    # ----------------------------------------------------------------------------

    def parse_item(self, item) -> ParsedItem:
        meta = item.find("{*}itemMeta")
        content = item.find("{*}contentMeta")
        body_html, signoff = self.body(item)
        pub_status = (
            _qcode_tail(
                meta.find("{*}pubStatus").get("qcode", "")
                if meta is not None and meta.find("{*}pubStatus") is not None
                else ""
            )
            or "usable"
        )
        subjects = []
        keywords = []
        if content is not None:
            for subject in content.findall("{*}subject"):
                code = subject.get("qcode") or subject.get("uri") or ""
                subjects.append({"code": code, "name": _text(subject, "{*}name")})
            keywords = [
                clean_text(k.text) for k in content.findall("{*}keyword") if clean_text(k.text)
            ]
        language = ""
        if content is not None and content.find("{*}language") is not None:
            language = content.find("{*}language").get("tag", "")
        language = language or item.get("{http://www.w3.org/XML/1998/namespace}lang", "")
        byline = _text(content, "{*}by") or _text(content, "{*}creator/{*}name")
        if byline.lower().startswith("by "):
            byline = byline[3:].strip()
        return ParsedItem(
            guid=self.guid(item),
            version=self.version(item),
            headline=_text(content, "{*}headline"),
            byline=byline,
            dateline_place=_text(content, "{*}located/{*}name"),
            dateline_at=parse_time(_text(content, "{*}contentCreated"))
            or parse_time(_text(meta, "{*}firstCreated"))
            or parse_time(_text(meta, "{*}versionCreated")),
            language=language,
            urgency=int_or_none(_text(content, "{*}urgency")),
            subjects=subjects,
            keywords=keywords,
            body_html=body_html,
            signoff=signoff,
            ednote=_text(meta, "{*}edNote"),
            embargo_until=parse_time(_text(meta, "{*}embargoed")),
            pub_status=pub_status if pub_status in ("usable", "withheld", "canceled") else "usable",
        )
