from pathlib import Path

import pytest

from dateline.wire.models import Source, WireItem
from dateline.wire.parsers import detect_parser
from dateline.wire.parsers.base import lede_dateline_split
from dateline.wire.services import delivery_ingest

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures" / "quirks"


def ingest(fixture, fmt):
    source = Source.objects.create(name=fixture, slug=fmt.replace("_", "-"), format=fmt)
    data = (FIXTURES / fixture).read_bytes()
    [result] = delivery_ingest(source=source, data=data, origin=fixture)
    assert result.status == "new", result.reason
    return WireItem.objects.get(guid=result.guid)


class AgencyQuirkTests:
    def test_afp_dateline_moves_from_the_lede(self):
        """AFP's quirk: the lede's "BAGHDAD, Nov 24, 2026 (AFP) - " becomes the dateline place."""
        item = ingest("afp_newsml_lede_dateline.xml", "newsml_g2_afp")
        assert item.dateline_place == "Baghdad"
        assert item.body_html.startswith("<p>Officials from both capitals met")
        assert item.signoff == "ab/cd/ef" and item.format == "newsml_g2"

    def test_upi_dateline_moves_from_the_lede(self):
        """UPI's quirk on NITF: "WASHINGTON, Nov. 24 (UPI) -- " becomes the dateline place."""
        item = ingest("upi_nitf_lede_dateline.xml", "nitf_upi")
        assert item.dateline_place == "Washington"
        assert item.body_html.startswith("<p>A Senate panel on Tuesday")

    def test_quirks_are_never_detected(self):
        """Auto-detection picks the format's own parser; the quirk only by a source's choice."""
        parser, _ = detect_parser((FIXTURES / "afp_newsml_lede_dateline.xml").read_bytes())
        assert type(parser).__name__ == "NewsMLG2Parser"

    def test_other_agencies_and_plain_text_untouched(self):
        """Another agency's dateline, or none, leaves the body as it is."""
        body = "<p>WASHINGTON, Nov. 24 (UPI) -- Text.</p>"
        assert lede_dateline_split(body, "AFP") == ("", body)
        assert lede_dateline_split("<p>No dateline here.</p>", "AFP")[0] == ""
