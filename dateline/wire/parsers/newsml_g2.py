"""IPTC NewsML-G2 (2.x): ``newsItem`` documents and ``newsMessage`` envelopes carrying
several items. Text bodies as inline NITF, inline XHTML or inline plain text.

Lenient by design: agencies' files are often invalid against the schema, so each
field is read where it is and missing ones stay empty."""

from .base import (
    ParsedItem,
    ParseError,
    Parser,
    apply_embargo,
    body_html_from_elements,
    body_html_from_text,
    clean_text,
    int_or_none,
    local_name,
    parse_time,
    register,
    version_of,
)

NAR = "http://iptc.org/std/nar/2006-10-01/"


def _text(element, tag):
    """The text of ``element``'s first child ``tag`` (a full {namespace}name)."""
    if element is None:
        return ""
    # Compared in Python: setting up iterchildren(tag)'s matcher for the one or two
    # children of a subject cost more than the comparisons.
    for child in element:
        if child.tag == tag:
            return clean_text(child.text if len(child) == 0 else "".join(child.itertext()))
    return ""


def _item_class(item) -> str:
    """The item's class as the tail of its qcode or URI ("text", "picture", ...); ""
    when it gives none."""
    item_meta = next(item.iterchildren("{*}itemMeta"), None)
    item_class = (
        next(item_meta.iterchildren("{*}itemClass"), None) if item_meta is not None else None
    )
    return _class_name(item_class)


def _class_name(item_class) -> str:
    if item_class is None:
        return ""
    value = item_class.get("qcode") or item_class.get("uri") or ""
    return value.rstrip("/").rpartition("/")[2].rpartition(":")[2].lower()


def _not_text(kinds: str) -> ParseError:
    return ParseError(f"carries no text item (item class {kinds}): the pool takes text stories")


# newsItem or newsMessage in the NAR namespace or none, by the tag string (see local_name).
_ROOT_TAGS = frozenset(
    f"{namespace}{name}" for namespace in (f"{{{NAR}}}", "") for name in ("newsItem", "newsMessage")
)


def _qcode_tail(value: str) -> str:
    return (value or "").rsplit(":", 1)[-1]


@register("newsml_g2")
class NewsMLG2Parser(Parser):
    format = "newsml_g2"
    priority = 10

    def sniff(self, data, root):
        return root is not None and root.tag in _ROOT_TAGS

    def parse(self, data, root):
        if local_name(root) != "newsMessage":
            # A lone item's class is read with the rest of its metadata (parse_item).
            return [self.parse_item(root)]
        items = root.findall(".//{*}itemSet/{*}newsItem")
        if not items:
            raise ParseError("newsMessage carries no newsItem in its itemSet")
        text_items = [item for item in items if _item_class(item) in ("", "text")]
        if not text_items:
            raise _not_text(", ".join(sorted({_item_class(item) for item in items})))
        # Pictures, graphics and videos an agency sends beside its text (NewsML-G2 2.33
        # §itemClass, IPTC NewsCodes "ninature") are not stories; they stay in the kept
        # bytes. One item that cannot be read is refused alone.
        if len(items) == 1:
            return [self.parse_item(text_items[0])]
        parsed = []
        for item in text_items:
            try:
                parsed.append(self.parse_item(item))
            except ParseError as error:
                parsed.append(error)
        return parsed

    # Hooks an agency subclass may override -------------------------------------

    def guid(self, item) -> str:
        guid = (item.get("guid") or "").strip()
        if not guid:
            raise ParseError(f"newsItem at line {item.sourceline} has no guid attribute")
        return guid

    def version(self, item) -> int:
        return version_of(item.get("version"))

    def body(self, item) -> tuple[str, str]:
        # lxml's iterchildren()/iter() match "{*}name" in C; find() with a path goes
        # through ElementPath in Python, several microseconds a call.
        content_set = next(item.iterchildren("{*}contentSet"), None)
        if content_set is None:
            return "", ""
        # The first child is the inline XML, mostly: asked first, by its tag.
        first = content_set[0] if len(content_set) else None
        if first is not None and isinstance(first.tag, str) and local_name(first) == "inlineXML":
            inlines = (first,)
        else:
            inlines = content_set.iterchildren("{*}inlineXML")
        for inline in inlines:
            # An NITF body (body.content), else an XHTML body, else the inline XML itself.
            body = next(inline.iter("{*}body.content"), None)
            if body is not None:
                return body_html_from_elements(body)
            xhtml_body = next(inline.iter("{*}body"), None)
            if xhtml_body is not None:
                return body_html_from_elements(xhtml_body)
            return body_html_from_elements(inline)
        for inline in content_set.iterchildren("{*}inlineData"):
            return body_html_from_text(inline.text or "")
        return "", ""

    # ----------------------------------------------------------------------------

    def parse_item(self, item) -> ParsedItem:
        meta, content, subjects, keywords, item_class = _metadata(item)
        # Only text items are stories (see parse): asked before anything else is.
        kind = _class_name(item_class)
        if kind not in ("", "text"):
            raise _not_text(kind)
        body_html, signoff = self.body(item)

        status = meta.get("pubStatus")
        pub_status = _qcode_tail(status.get("qcode", "")) if status is not None else "usable"
        language = content["language"].get("tag", "") if "language" in content else ""
        language = language or item.get("{http://www.w3.org/XML/1998/namespace}lang", "")
        byline = _field_text(content, "by") or _first_name_text(content, "creator")
        if byline[:3].lower() == "by ":
            byline = byline[3:].strip()
        parsed = ParsedItem(
            guid=self.guid(item),
            version=self.version(item),
            headline=_field_text(content, "headline"),
            byline=byline,
            # contentMeta/dateline is the agency's own line ("PARIS, March 2 (Reuters)"):
            # its place is what comes before the first comma.
            dateline_place=_first_name_text(content, "located")
            or _field_text(content, "dateline").partition(",")[0].strip(),
            dateline_at=parse_time(_field_text(content, "contentCreated"))
            or parse_time(_field_text(meta, "firstCreated"))
            or parse_time(_field_text(meta, "versionCreated")),
            language=language,
            urgency=int_or_none(_field_text(content, "urgency")),
            subjects=subjects,
            keywords=keywords,
            body_html=body_html,
            signoff=signoff,
            ednote=_field_text(meta, "edNote"),
            pub_status=pub_status if pub_status in ("usable", "withheld", "canceled") else "usable",
        )
        return apply_embargo(parsed, _field_text(meta, "embargoed"))


def _metadata(item):
    """(itemMeta's fields, contentMeta's fields, subjects, keywords, the first itemMeta's
    first itemClass): each field its first element of that local name."""
    # One pass over itemMeta's and contentMeta's children, by local name: much
    # cheaper than a find() per field, and indifferent to the order agencies use.
    meta, content = {}, {}
    subjects, keywords = [], []
    item_class, meta_seen = None, False
    for block in item.iterchildren("{*}itemMeta", "{*}contentMeta"):
        is_meta = block.tag.endswith("itemMeta")
        fields = meta if is_meta else content
        for child in block:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            name = _LOCAL_NAMES.get(tag)
            if name is None:
                name = tag.rpartition("}")[2]
                if len(_LOCAL_NAMES) < 1000:  # agencies use a few dozen
                    _LOCAL_NAMES[tag] = name
            if name == "subject":
                subjects.append(
                    {
                        "code": child.get("qcode") or child.get("uri") or "",
                        "name": _text(child, tag.replace("subject", "name")),
                    }
                )
            elif name == "keyword":
                keyword = clean_text(child.text)
                if keyword:
                    keywords.append(keyword)
            elif name not in fields:
                fields[name] = child
        if is_meta and not meta_seen:
            item_class, meta_seen = meta.get("itemClass"), True
    return meta, content, subjects, keywords, item_class


# Tags to local names: looking one up costs less than splitting the tag again.
_LOCAL_NAMES: dict[str, str] = {}


def _field_text(fields, name) -> str:
    element = fields.get(name)
    if element is None:
        return ""
    # As "".join(element.itertext()), without starting itertext's iterator for an
    # element holding text only, as fields mostly do.
    return clean_text(element.text if len(element) == 0 else "".join(element.itertext()))


def _first_name_text(fields, name) -> str:
    """The text of the field's first child named like ``name`` (``<located><name>``),
    else the field's own text."""
    element = fields.get(name)
    if element is None:
        return ""
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag.endswith("name"):
            return clean_text(_all_text(child))
    return clean_text(element.text)


def _all_text(element) -> str | None:
    # See _field_text.
    return element.text if len(element) == 0 else "".join(element.itertext())
