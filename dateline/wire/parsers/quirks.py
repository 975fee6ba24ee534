"""Agencies' quirks: small subclasses of a format's parser that override one hook
(``refine``). A source chooses one by its format (Source.format); content is never
detected as a quirk (``auto_detect = False``)."""

from .base import ParsedItem, lede_dateline_split, register
from .newsml_g2 import NewsMLG2Parser
from .nitf import NITFParser


class LedeDatelineMixin:
    """The dateline travels in the first paragraph ("BAGHDAD, Nov 17, 2017 (AFP) - ...")
    rather than in the metadata: move it to the item's dateline place."""

    agency = ""
    auto_detect = False

    def refine(self, item: ParsedItem) -> ParsedItem:
        place, body = lede_dateline_split(item.body_html, self.agency)
        if place:
            item.body_html = body
            item.dateline_place = item.dateline_place or place
        return item


@register("newsml_g2_afp")
class AFPNewsMLG2Parser(LedeDatelineMixin, NewsMLG2Parser):
    """AFP's NewsML-G2 as some of its services send it: the dateline in the lede."""

    agency = "AFP"


@register("nitf_upi")
class UPINITFParser(LedeDatelineMixin, NITFParser):
    """UPI's NITF: "WASHINGTON, Nov. 17 (UPI) -- ..." opens the first paragraph."""

    agency = "UPI"
