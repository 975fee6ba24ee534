"""Property-based tests (hypothesis): no input crashes the pipeline, and generated
valid documents of every format come out with the right fields."""

import json
from datetime import UTC
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dateline.articles.html import html_to_text
from dateline.wire.parsers import ParseError, detect_parser
from dateline.wire.parsers.base import clean_text

# Text an agency could send: letters of several scripts, digits, punctuation
# including XML's special characters, and spaces.
words = st.text(
    alphabet=st.sampled_from(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüñçøßπДжあ東0123456789 .,;:!?'\"&<>()-/"
    ),
    min_size=1,
    max_size=60,
).filter(lambda s: any(c.isalnum() for c in s))
guids = st.from_regex(r"urn:[a-z]{2,8}:[a-z0-9]{1,12}:[a-z0-9-]{1,20}", fullmatch=True)
documents = st.fixed_dictionaries(
    {
        "guid": guids,
        "version": st.integers(min_value=1, max_value=999),
        "headline": words,
        "place": st.text(
            alphabet="abcdefghijklmnopqrstuvwxyz ABCDEFGH", min_size=1, max_size=20
        ).filter(str.strip),
        "urgency": st.integers(min_value=1, max_value=8),
        "paragraphs": st.lists(words, min_size=1, max_size=5),
    }
)


def newsml_g2(doc):
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in doc["paragraphs"])
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/" guid={quoteattr(doc["guid"])} version="{doc["version"]}" standard="NewsML-G2" standardversion="2.33">
<itemMeta><itemClass qcode="ninat:text"/><pubStatus qcode="stat:usable"/></itemMeta>
<contentMeta><urgency>{doc["urgency"]}</urgency><located><name>{escape(doc["place"])}</name></located>
<headline>{escape(doc["headline"])}</headline></contentMeta>
<contentSet><inlineXML contenttype="application/nitf+xml"><nitf xmlns="http://iptc.org/std/NITF/2006-10-18/"><body><body.content>{paragraphs}</body.content></body></nitf></inlineXML></contentSet>
</newsItem>""".encode()


def nitf(doc):
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in doc["paragraphs"])
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<nitf><head><docdata><doc-id id-string={quoteattr(doc["guid"])}/><urgency ed-urg="{doc["urgency"]}"/><du-key version="{doc["version"]}"/></docdata></head>
<body><body.head><hedline><hl1>{escape(doc["headline"])}</hl1></hedline><dateline><location><city>{escape(doc["place"])}</city></location></dateline></body.head>
<body.content>{paragraphs}</body.content></body></nitf>""".encode()


def ninjs(doc, major):
    body = "".join(f"<p>{escape(p)}</p>" for p in doc["paragraphs"])
    common = {
        "uri": doc["guid"],
        "version": str(doc["version"]),
        "urgency": doc["urgency"],
        "type": "text",
    }
    if major == 3:
        common.update(headlines=[{"role": "main", "value": doc["headline"]}],
                      bodies=[{"role": "main", "contenttype": "text/html", "value": body}],
                      places=[{"name": doc["place"]}])  # fmt: skip
    else:
        common.update(headline=doc["headline"], body_html=body, located=doc["place"])
    return json.dumps(common).encode()


FORMATS = {
    "newsml_g2": newsml_g2,
    "nitf": nitf,
    "ninjs 1/2": lambda doc: ninjs(doc, 2),
    "ninjs 3": lambda doc: ninjs(doc, 3),
}


class GeneratedDocumentTests:
    @pytest.mark.parametrize("name", sorted(FORMATS))
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(doc=documents)
    def test_fields_come_out_right(self, name, doc):
        """A valid document of each format gives back its guid, version, urgency,
        headline, place and every paragraph's text."""
        data = FORMATS[name](doc)
        parser, root = detect_parser(data)
        [item] = parser.parse(data, root)
        assert item.guid == doc["guid"]
        assert item.version == doc["version"]
        assert item.urgency == doc["urgency"]
        assert item.headline == clean_text(doc["headline"])
        assert item.dateline_place == clean_text(doc["place"])
        text = html_to_text(item.body_html + "<p>" + item.signoff + "</p>")
        for paragraph in doc["paragraphs"]:
            assert clean_text(paragraph).strip("- ") in text


class NoCrashTests:
    @settings(max_examples=300, deadline=None)
    @given(data=st.binary(max_size=2000))
    def test_any_bytes(self, data):
        """Arbitrary bytes are parsed or refused with ParseError, never anything else."""
        try:
            parser, root = detect_parser(data)
            parser.parse(data, root)
        except ParseError as error:
            assert str(error)

    @settings(max_examples=200, deadline=None)
    @given(doc=documents, cut=st.integers(min_value=0, max_value=2000), junk=st.binary(max_size=20))
    def test_damaged_documents(self, doc, cut, junk):
        """Truncated or corrupted documents of every format never crash the parsers."""
        for build in FORMATS.values():
            data = build(doc)
            data = data[:cut] + junk + data[cut + len(junk) :]
            try:
                parser, root = detect_parser(data)
                parser.parse(data, root)
            except ParseError:
                pass


@pytest.mark.django_db
class PipelineTests:
    @settings(
        max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        payloads=st.lists(
            st.one_of(st.binary(max_size=500), documents.map(newsml_g2)), min_size=1, max_size=4
        )
    )
    def test_batch_never_raises_and_keeps_everything(self, payloads):
        """Whatever a batch holds, ingest answers one known outcome per delivery or item
        and keeps every delivery it records."""
        from dateline.wire.models import Delivery, RawDelivery, Source
        from dateline.wire.services import OUTCOMES, deliveries_ingest

        source, _ = Source.objects.get_or_create(slug="prop", defaults={"name": "prop"})
        results = deliveries_ingest(
            source=source, deliveries=[(f"p{i}", p) for i, p in enumerate(payloads)]
        )
        assert results and all(r.status in OUTCOMES for r in results)
        for delivery in Delivery.objects.filter(source=source):
            assert RawDelivery.objects.filter(sha256=delivery.sha256).exists()


# Text of any script, and text of ASCII alone (of which ingest sees most).
any_text = st.one_of(st.text(alphabet=st.characters(max_codepoint=127)), st.text())


# What a field can hold once ``_normalised`` made it storable (no NUL, among others).
stored_text = any_text.map(lambda text: text.replace("\x00", ""))


def _hashed(fields, embargo):
    from dateline.wire.parsers.base import ParsedItem
    from dateline.wire.services import _content_hash

    headline, byline, place, body, signoff, pub_status = fields
    item = ParsedItem(
        guid="g", version=1, headline=headline, byline=byline, dateline_place=place,
        body_html=body, signoff=signoff, pub_status=pub_status, embargo_until=embargo,
    )  # fmt: skip
    return _content_hash(item)


class ContentHashTests:
    @settings(max_examples=300, deadline=None)
    @given(
        first=st.lists(stored_text, min_size=6, max_size=6),
        second=st.lists(stored_text, min_size=6, max_size=6),
        embargo=st.one_of(st.none(), st.datetimes(timezones=st.just(UTC))),
    )
    @example(first=["a", "b", "", "", "", ""], second=["a", "", "b", "", "", ""], embargo=None)
    def test_different_fields_never_hash_alike(self, first, second, embargo):
        """Two items hash alike exactly when every field is the same: text moved
        from one field to the next changes the hash."""
        assert (_hashed(first, embargo) == _hashed(second, embargo)) == (first == second)
        assert _hashed(first, embargo) == _hashed(list(first), embargo)

    @given(embargo=st.datetimes(timezones=st.sampled_from([UTC, ZoneInfo("Asia/Kolkata")])))
    def test_embargo_is_hashed_as_its_instant(self, embargo):
        """An embargo hashes by its instant, whatever the zone it was written in (the
        pool stores it in UTC, and a migration recomputes hashes from the pool)."""
        fields = ["h", "b", "p", "<p>t</p>", "s", "usable"]
        assert _hashed(fields, embargo) == _hashed(fields, embargo.astimezone(UTC))
        assert _hashed(fields, embargo) != _hashed(fields, None)


class StorableTests:
    @settings(max_examples=300, deadline=None)
    @given(
        text=st.one_of(
            st.text(alphabet=st.characters(max_codepoint=127)),
            st.text(alphabet=st.characters(blacklist_categories=())),  # lone surrogates too
        )
    )
    def test_fast_check_drops_what_the_pattern_drops(self, text):
        """Unstorable characters go the same way whether the text is ASCII or not."""
        from dateline.wire.services import _UNSTORABLE, _storable

        assert _storable(text) == _UNSTORABLE.sub("", text)
