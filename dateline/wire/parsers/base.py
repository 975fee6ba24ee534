"""What every parser returns, the registry, and hardened XML parsing."""

import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.core.exceptions import ImproperlyConfigured
from django.utils.dateparse import parse_datetime
from lxml import etree


class ParseError(Exception):
    """The delivery cannot be read; the message says where and why."""


@dataclass
class ParsedItem:
    guid: str
    version: int | None  # None: the format carries none (RSS); the pool decides
    headline: str = ""
    byline: str = ""
    dateline_place: str = ""
    dateline_at: datetime | None = None
    language: str = ""
    urgency: int | None = None
    subjects: list = field(default_factory=list)
    keywords: list = field(default_factory=list)
    body_html: str = ""
    signoff: str = ""
    ednote: str = ""
    embargo_until: datetime | None = None
    pub_status: str = "usable"
    # When this version was written (ninjs versioncreated, a feed entry's updated): how
    # the pool orders copies of a story whose format numbers no versions.
    version_created: datetime | None = None


class Parser:
    """A format's parser. Subclasses set ``format`` and implement ``sniff`` and
    ``parse``; instances hold no state."""

    format: str = ""
    #: lower runs first when several parsers sniff the same content
    priority: int = 100
    #: False for an agency's variant: chosen by a source's format, never detected
    auto_detect: bool = True

    def sniff(self, data: bytes, root) -> bool:
        """True when this parser reads ``data`` (``root`` is the parsed XML root
        element, or None when ``data`` is not XML)."""
        raise NotImplementedError

    def parse(self, data: bytes, root) -> list[ParsedItem]:
        raise NotImplementedError

    def refine(self, item: ParsedItem) -> ParsedItem:
        """The hook an agency's quirk overrides: adjust one parsed item (the format's
        parser is done with it; the pool has not seen it yet)."""
        return item


_REGISTRY: dict[str, Parser] = {}
# (how many parsers are registered, those of them detected from content, by
# priority): sorted again when the registry changes, not for every delivery.
_detection: tuple[int, list[Parser]] = (0, [])


def register(name: str):
    """Class decorator: register a parser under ``name`` (refuses duplicates)."""

    def decorate(cls):
        global _detection
        if name in _REGISTRY:
            raise ImproperlyConfigured(f"A wire parser named {name!r} is already registered.")
        _REGISTRY[name] = cls()
        _detection = (-1, [])
        return cls

    return decorate


def get_parser(name: str) -> Parser:
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise ImproperlyConfigured(f"No wire parser named {name!r}; known: {known}.") from None


# Entity declarations are how XML bombs and external entity reads start; no
# agency format needs them (NewsML-G2, NITF and RSS are used without DTDs).
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_XML_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


_PARSERS = threading.local()


def _xml_parser() -> etree.XMLParser:
    """This thread's parser. lxml parsers keep no document state between calls, but
    one may not be used by two threads at once; making a new one per document
    costs about as much as parsing a small item."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = etree.XMLParser(**_XML_PARSER_OPTIONS)
    return parser


def _xml_root(data: bytes):
    # "!" first, found by memchr; then "<!", still several times cheaper than the
    # case-blind regex. Most deliveries hold no "!" at all.
    if b"!" in data and b"<!" in data and _ENTITY_DECLARATION.search(data):
        raise ParseError(
            "declares XML entities (<!ENTITY>), refused: entity expansion and external "
            "entities are how XML bombs and file reads work; ask the agency for a file without a DTD"
        )
    _check_declared_encoding(data)
    try:
        root = etree.fromstring(data, _xml_parser())
    except etree.XMLSyntaxError as error:
        root = _feed_recovered(data)
        if root is None:
            line = getattr(error, "lineno", None)
            where = f" at line {line}" if line else ""
            raise ParseError(f"not well-formed XML{where} ({error.msg})") from None
    except ValueError as error:  # e.g. an unknown declared encoding
        raise ParseError(f"unreadable XML: {error}") from None
    if data.startswith(_UTF8_DECLARATIONS):
        return root  # the byte search above has seen any entity declaration
    # The byte search above misses UTF-16/32 documents: ask the parsed tree too.
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ParseError(
            "declares XML entities in its DTD, refused: entity expansion and external "
            "entities are how XML bombs and file reads work; ask the agency for a file without a DTD"
        )
    return root


# libxml2 reads a document that opens with one of these as UTF-8, where an entity
# declaration is the bytes "<!ENTITY" whatever else the DTD does (XML 1.0 §4.2):
# _xml_root's byte search is enough, and the parsed DTD need not be asked.
_UTF8_DECLARATIONS = (
    b'<?xml version="1.0" encoding="UTF-8"',
    b'<?xml version="1.0" encoding="utf-8"',
    b"<?xml version='1.0' encoding='UTF-8'",
    b"<?xml version='1.0' encoding='utf-8'",
    b'<?xml version="1.0"?>',
)

_SINGLE_BYTE_DECLARATION = re.compile(
    rb"""^\s*<\?xml[^>]*encoding\s*=\s*["'](iso-8859-1|iso8859-1|latin-?1|windows-1252|cp1252)["']""",
    re.IGNORECASE,
)


def _check_declared_encoding(data: bytes) -> None:
    """A document that declares a single-byte encoding but whose bytes are UTF-8 (the
    common mistake: 'Tromsø' would be read as 'TromsÃ¸') is refused, not ingested garbled.
    Text in those encodings that is also valid multi-byte UTF-8 does not occur in practice."""
    if data.isascii():  # most deliveries: nothing to misread, and cheaper than the regex
        return
    declared = _SINGLE_BYTE_DECLARATION.match(data[:200])
    if not declared:
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return  # really single-byte text
    raise ParseError(
        f"declares {declared[1].decode()} but its bytes are UTF-8 (accented letters would "
        'come out garbled); ask the agency to declare encoding="UTF-8"'
    )


_FEED_START = re.compile(rb"<(?:rss|feed)[\s>]")


def _feed_recovered(data: bytes):
    """An RSS or Atom feed that is not well-formed (an HTML entity such as &nbsp; or a
    bare & in one title: common in real feeds, and read by feedparser) is let through
    to the feed parser, which reads feeds leniently; the other formats stay strict."""
    if not _FEED_START.search(data[:4096]):
        return None
    try:
        root = etree.fromstring(data, etree.XMLParser(**_XML_PARSER_OPTIONS, recover=True))
    except (etree.XMLSyntaxError, ValueError):
        return None
    if root is None or etree.QName(root).localname not in ("rss", "feed"):
        return None
    return root


def local_name(element) -> str:
    """The element's name without its namespace, as ``etree.QName(element).localname``
    gives it (what follows the first "}"), read from the tag string: building a QName
    for each question cost more than the rest of format detection."""
    tag = element.tag
    return tag[tag.find("}") + 1 :]


def _looks_like_xml(data: bytes) -> bool:
    if data[:1] == b"<":
        return True  # most deliveries: nothing to skip before the markup
    head = data[:512]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[2:].lstrip(b"\x00 \t\r\n").startswith(b"<")  # UTF-16 with a BOM
    return head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def detect_parser(data: bytes, *, format_hint: str = "auto") -> tuple[Parser, object]:
    """The parser for ``data`` and its parsed XML root (None for JSON), detected from
    the content, never the file name. Raises ParseError with the reason."""
    if not data or data.isspace():
        raise ParseError("empty delivery")
    if data.find(b"\x00", 0, 1024) >= 0 and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if data.lstrip(b"\x00 \t\r\n").startswith((b"<\x00", b"{\x00")) or data.startswith(
            (b"\x00<", b"\x00{")
        ):
            raise ParseError(
                "UTF-16 text without a byte order mark, which cannot be read reliably: "
                "ask the agency to send UTF-8, or UTF-16 with its byte order mark"
            )
        raise ParseError("binary content (NUL bytes), not a text format of any agency")
    # Blank lines before the XML declaration (common in agency files, and fatal to a
    # strict parser) are dropped; the declaration must otherwise come first.
    root = (
        _xml_root(data.lstrip() if data[:1].isspace() else data) if _looks_like_xml(data) else None
    )
    if format_hint != "auto":
        parser = get_parser(format_hint)
        if not parser.sniff(data, root):
            raise ParseError(
                f"the source expects {format_hint} but the content is not {format_hint}"
            )
        return parser, root
    for parser in _detection_order():
        if parser.sniff(data, root):
            return parser, root
    if root is not None:
        raise ParseError(f"unknown XML format (root element <{etree.QName(root).localname}>)")
    raise ParseError("unknown format: neither XML nor ninjs JSON")


def _detection_order() -> list[Parser]:
    global _detection
    # register() starts it afresh; a parser removed again (tests do) changes the count.
    if _detection[0] != len(_REGISTRY):
        ordered = sorted(_REGISTRY.values(), key=lambda parser: parser.priority)
        _detection = (len(_REGISTRY), [parser for parser in ordered if parser.auto_detect])
    return _detection[1]


_COMPACT_TIME = re.compile(r"(\d{8})T(\d{4,6})([+-]\d{4}|Z)?")


def parse_time(value) -> datetime | None:
    """An ISO 8601 / RFC 3339 time, or NITF's compact 20171117T100000Z; UTC when naive."""
    if not value:
        return None
    value = str(value).strip()
    # An ISO 8601 date has its "-" fifth, so cannot be the compact form: no regex asked.
    compact = _COMPACT_TIME.fullmatch(value) if value[4:5] != "-" else None
    if compact:
        date, time, zone = compact.groups()
        time = time.ljust(6, "0")
        value = f"{date[:4]}-{date[4:6]}-{date[6:]}T{time[:2]}:{time[2:4]}:{time[4:]}"
        if zone and zone != "Z":
            value += f"{zone[:3]}:{zone[3:]}"
    try:
        parsed = parse_datetime(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def clean_text(value) -> str:
    # Runs of whitespace to one space, trimmed: str.split() and the regex \s agree on
    # what whitespace is (Py_UNICODE_ISSPACE), and split is several times faster.
    if isinstance(value, str):
        # Most text is clean already, and asking costs a third of splitting it: in
        # printable text the only whitespace is " " (every other is unprintable).
        if value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " ":
            return value
        return " ".join(value.split())
    return _WHITESPACE.sub(" ", value or "").strip()  # what else may come, refused alike


_WHITESPACE = re.compile(r"\s+")


def version_of(value) -> int:
    """A document's version: 1 when it gives none; ParseError when it gives one
    that is not a whole number from 1 (an unreadable version must not be guessed)."""
    if isinstance(value, str) and value.isdigit() and value.isascii():
        number = int(value)  # plain digits, as versions mostly come: no more to ask
        if 1 <= number <= 10**9:
            return number
    if value is None or (isinstance(value, str) and not value.strip()):
        return 1
    number = int_or_none(value, high=10**9)
    if number is None or isinstance(value, (bool, float)):
        raise ParseError(f"version {value!r} is not a whole number from 1")
    return number


def apply_embargo(item: "ParsedItem", raw) -> "ParsedItem":
    """Set the item's embargo from ``raw``; an embargo that cannot be read withholds
    the item (with an editor's note) rather than letting it through."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return item
    when = parse_time(raw)
    if when is None:
        item.pub_status = "withheld"
        note = f"Embargo time {str(raw)[:60]!r} could not be read: withheld until checked."
        item.ednote = f"{item.ednote} {note}".strip()
    else:
        item.embargo_until = when
    return item


def int_or_none(value, *, low=1, high=9):
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


_SIGNOFF = re.compile(r"^[a-z]{2,6}(?:[-/][a-z]{2,6}){1,6}$")
_WIRE_SUBHEAD = re.compile(r"<p>\s*-\s+(.{2,120}?)\s+-\s*</p>")


_PREFIXED_TAG = re.compile(r"</?[A-Za-z_][\w.-]*:")
_NITF_HEADINGS = re.compile(r"<(/?)hl[12]\b")


def body_html_from_elements(elements) -> tuple[str, str]:
    """(sanitised body HTML, sign-off) from the XML elements of a body (NITF
    body.content, an XHTML body). Namespaces are dropped; ``hl2`` becomes ``<h2>``;
    a wire subhead paragraph (``- 'Days numbered' -``) becomes ``<h2>``; a trailing
    ``burs/srm/del`` paragraph is taken as the sign-off."""
    plain = _plain_body(elements)
    if plain is not None:
        return plain
    return finish_body(serialised_body_html(elements), _as_is)


def serialised_body_html(elements) -> str:
    """The general way for ``body_html_from_elements``: the elements serialised as
    HTML, namespaces dropped, NITF headings made ``<h2>``, then sanitised by nh3."""
    from dateline.articles.html import body_sanitise

    parts = [
        etree.tostring(element, method="html", encoding="unicode", with_tail=False)
        for element in elements
        if isinstance(element.tag, str)
    ]
    html = "\n".join(parts)
    if _PREFIXED_TAG.search(html):
        # Prefixed namespaces (<ns0:p>): rename the elements to their local names.
        for element in elements:
            for node in element.iter():
                if isinstance(node.tag, str) and node.tag[0] == "{":
                    node.tag = node.tag.rpartition("}")[2]
            etree.cleanup_namespaces(element)
        html = "\n".join(
            etree.tostring(e, method="html", encoding="unicode", with_tail=False)
            for e in elements
            if isinstance(e.tag, str)
        )
    # Default-namespace elements serialise as <p xmlns="...">: nh3 drops the
    # attribute with every other one we do not allow. NITF headings become <h2>.
    return body_sanitise(_NITF_HEADINGS.sub(r"<\1h2", html))


# Most wire bodies are a list of paragraphs and subheads holding plain text. Their
# sanitised HTML is written directly: each text escaped the way nh3's serialiser
# (html5ever) escapes a text node, so the result is the very string that
# serialising the elements and running nh3 over them gives, at a fraction of the
# cost. Anything else (inline markup, links, tables, control characters that
# html5ever would rewrite) goes the general way, through nh3.
_BLOCKS = ("{*}p", "{*}hl1", "{*}hl2")  # in any namespace, or none
_HEADINGS = ("{*}hl1", "{*}hl2")
_NOT_SERIALISED = (etree.Comment, etree.ProcessingInstruction, etree.Entity)
_REWRITTEN_BY_HTML5EVER = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _plain_body(elements) -> tuple[str, str] | None:
    """finish_body's (HTML, sign-off) for a body of plain blocks; None for another."""
    # lxml picks out the blocks and the headings by name in C: reading each child's
    # tag in Python cost more than the rest of the body together. Paragraphs alone
    # (most bodies) are asked for first, by the one name.
    blocks, headings = list(elements.iterchildren("{*}p")), ()
    if len(blocks) != len(elements):
        blocks = list(elements.iterchildren(*_BLOCKS))
        if len(blocks) != len(elements) and len(blocks) + sum(
            1 for _ in elements.iterchildren(*_NOT_SERIALISED)
        ) != len(elements):
            return None  # another element
        headings = set(elements.iterchildren(*_HEADINGS))
    if any(map(len, blocks)):
        return None  # markup inside a block
    if not blocks:
        return "", ""
    texts = [block.text or "" for block in blocks]
    # The tags hold none of the characters looked for: one search of the texts
    # together asks every one.
    together = "\n".join(texts)
    if together.isascii():
        # The only ASCII controls an lxml text can hold are tab, newline and
        # carriage return (XML 1.0 §2.2 Char; lxml refuses others in text it is given).
        if "\r" in together or "\x7f" in together:
            return None
    elif _REWRITTEN_BY_HTML5EVER.search(together):
        return None
    if "&" in together or "<" in together or ">" in together or "\u00a0" in together:
        texts = [
            text.replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace("\u00a0", "&nbsp;")
            for text in texts
        ]
    # A sign-off is the last paragraph (finish_body's rule): left out of the HTML
    # before it is joined, rather than cut from it after.
    signoff = _signoff_of(texts[-1]) if blocks[-1] not in headings else ""
    if signoff:
        blocks, texts = blocks[:-1], texts[:-1]
    if not texts:
        html = ""
    elif not headings:
        html = "<p>" + "</p>\n<p>".join(texts) + "</p>"
    else:
        html = "\n".join(
            [
                f"<h2>{text}</h2>" if block in headings else f"<p>{text}</p>"
                for block, text in zip(blocks, texts, strict=True)
            ]
        )
    return _with_subheads(html), signoff


def _as_is(html: str) -> str:
    return html


_LAST_PARAGRAPH = re.compile(r"<p>([^<]*)</p>\s*$")


def finish_body(html: str, sanitise=None) -> tuple[str, str]:
    if sanitise is None:
        from dateline.articles.html import body_sanitise as sanitise
    html = _with_subheads(sanitise(html))
    # A match cannot hold "<", so it can only start at the last "<p>".
    last = _LAST_PARAGRAPH.search(html, max(html.rfind("<p>"), 0))
    signoff = _signoff_of(last.group(1)) if last else ""
    if signoff:
        html = html[: last.start()].rstrip()
    return html, signoff


def _signoff_of(paragraph: str) -> str:
    """The sign-off (``burs/srm/del``) that a body's last paragraph is, or ""."""
    if 3 <= len(paragraph) <= 60 and _SIGNOFF.match(candidate := paragraph.strip()):
        return candidate
    return ""


def _with_subheads(html: str) -> str:
    """Wire subhead paragraphs (``<p>- 'Days numbered' -</p>``) made ``<h2>``."""
    return _WIRE_SUBHEAD.sub(r"<h2>\1</h2>", html) if _may_hold_subhead(html) else html


_SUBHEAD_CLOSE = re.compile(r"\s*</p>")


def _may_hold_subhead(html: str) -> bool:
    """False when no "-" is followed by optional whitespace and "</p>", as every wire
    subhead's is: the "-"s are found by memchr, where _WIRE_SUBHEAD's search tries
    every "<p>" of the body."""
    dash = html.find("-")
    while dash >= 0:
        after = html[dash + 1 : dash + 2]  # mostly a letter: "post-war"
        if (after == "<" or after.isspace()) and _SUBHEAD_CLOSE.match(html, dash + 1):
            return True
        dash = html.find("-", dash + 1)
    return False


def body_html_from_text(text: str) -> tuple[str, str]:
    """Plain text (paragraphs separated by blank lines or indented lines) to body HTML."""
    from dateline.articles.html import paragraphs_to_html

    paragraphs = [clean_text(p) for p in re.split(r"\n\s*\n|\n(?=[ \t]+)", text or "")]
    return finish_body(paragraphs_to_html([p for p in paragraphs if p]))


# An agency's dateline at the start of the first paragraph, as some agencies send
# it inside the text: "BAGHDAD, Nov 17, 2017 (AFP) - ", "WASHINGTON, Nov. 17 (UPI) -- ".
_LEDE_DATELINE = re.compile(
    r"^<p>\s*(?P<place>[A-Z][A-Z .'\-]{1,40}?)"
    r"(?:\s*,\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:\s*,\s*\d{4})?))?"
    r"\s*\((?P<agency>[A-Za-z]{2,8})\)\s*(?:-{1,2}|\u2013|\u2014)\s*"
)


def lede_dateline_split(body_html: str, agency: str) -> tuple[str, str]:
    """(place, body without the dateline) when the body starts with ``agency``'s
    dateline; ("", body) unchanged otherwise. The place comes title-cased (BAGHDAD ->
    Baghdad), as datelines print it."""
    match = _LEDE_DATELINE.match(body_html or "")
    if not match or match.group("agency").upper() != agency.upper():
        return "", body_html
    rest = body_html[match.end() :]
    place = match.group("place").strip().title()
    return place, "<p>" + rest[:1].upper() + rest[1:]
