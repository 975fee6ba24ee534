"""Tests for the synthetic wire-story generator (pure Python, no database)."""

import re
from collections import Counter
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime, timedelta, timezone
from functools import cache

import pytest

from dateline.demo import network as demo_network
from dateline.demo.generator import GeneratedStory, generate_stories

START = datetime(2015, 1, 1, tzinfo=UTC)
END = datetime(2025, 1, 1, tzinfo=UTC)

SECTIONS_BY_SITE = {
    slug: {section for section, _ in sections} for slug, _, _, _, sections in demo_network.SITES
}
AGENCY_CODES = {code for code, *_ in demo_network.AGENCIES}
SUBHEAD = re.compile(r"^## '[^'\n]+'$")
AFP_SIGNOFF = re.compile(r"^[a-z]{2,4}(/[a-z]{2,4}){1,2}$")


@cache
def sample(count: int = 5000, seed: int = 11) -> tuple[GeneratedStory, ...]:
    """Stories shared by the read-only tests (generated once per argument set)."""
    return tuple(generate_stories(count, seed=seed, start=START, end=END))


class GeneratorTests:
    def test_same_seed_gives_identical_stories(self):
        """The same seed and arguments reproduce exactly the same stories."""
        first = list(generate_stories(300, seed=42, start=START, end=END))
        second = list(generate_stories(300, seed=42, start=START, end=END))
        assert first == second

    def test_different_seeds_give_different_stories(self):
        """Another seed gives other headlines and other timestamps."""
        one = list(generate_stories(50, seed=1, start=START, end=END))
        two = list(generate_stories(50, seed=2, start=START, end=END))
        assert [s.headline for s in one] != [s.headline for s in two]
        assert [s.published_at for s in one] != [s.published_at for s in two]

    @pytest.mark.parametrize("count", [0, 1, 7, 250])
    def test_count_is_honoured(self, count):
        """Exactly `count` stories are yielded."""
        assert len(list(generate_stories(count, start=START, end=END))) == count

    def test_timestamps_strictly_increase_within_range(self):
        """published_at is aware UTC, strictly increasing and inside [start, end)."""
        stamps = [s.published_at for s in sample()]
        assert all(t.utcoffset() == timedelta(0) for t in stamps)
        assert all(START <= t < END for t in stamps)
        assert all(a < b for a, b in zip(stamps, stamps[1:], strict=False))

    def test_timestamps_spread_over_the_whole_range(self):
        """Stories are spread across the range rather than bunched at one end."""
        stamps = [s.published_at for s in sample()]
        assert stamps[0] - START < timedelta(days=30)
        assert END - stamps[-1] < timedelta(days=30)
        years = Counter(t.year for t in stamps)
        assert set(years) == set(range(2015, 2025))
        assert min(years.values()) > 350

    def test_narrow_range_still_gives_distinct_timestamps(self):
        """More stories than seconds in the range fall back to distinct microseconds."""
        end = START + timedelta(seconds=2)
        stamps = [s.published_at for s in generate_stories(500, start=START, end=end)]
        assert len(set(stamps)) == 500
        assert all(START <= t < end for t in stamps)
        assert stamps == sorted(stamps)

    def test_naive_and_non_utc_bounds_are_normalised_to_utc(self):
        """Naive bounds count as UTC and other offsets are converted to UTC."""
        plus_two = timezone(timedelta(hours=2))
        naive = list(generate_stories(20, start=datetime(2020, 1, 1), end=datetime(2020, 2, 1)))
        shifted = list(
            generate_stories(
                20,
                start=datetime(2020, 1, 1, 2, tzinfo=plus_two),
                end=datetime(2020, 2, 1, 2, tzinfo=plus_two),
            )
        )
        assert naive == shifted
        assert all(s.published_at.tzinfo is UTC for s in naive)

    def test_impossible_arguments_are_rejected(self):
        """Negative counts, empty ranges and too many stories for the range raise ValueError."""
        with pytest.raises(ValueError):
            generate_stories(-1, start=START, end=END)
        with pytest.raises(ValueError):
            generate_stories(5, start=END, end=START)
        with pytest.raises(ValueError):
            generate_stories(11, start=START, end=START + timedelta(microseconds=10))

    def test_site_section_and_agency_are_valid(self):
        """Every story uses a site, a section of that site and an agency from network.py."""
        for story in sample():
            assert story.section in SECTIONS_BY_SITE[story.site]
            assert story.agency in AGENCY_CODES

    def test_sections_are_drawn_roughly_evenly(self):
        """All 33 sections appear, each with a similar share of the stories."""
        counts = Counter((s.site, s.section) for s in sample())
        assert len(counts) == sum(len(v) for v in SECTIONS_BY_SITE.values())
        expected = len(sample()) / len(counts)
        assert all(0.6 * expected < n < 1.4 * expected for n in counts.values())

    def test_agency_mix_follows_the_weights(self):
        """AFP leads, then UPI, SPX and IANS, with ESA a small minority."""
        shares = {
            code: n / len(sample()) for code, n in Counter(s.agency for s in sample()).items()
        }
        assert 0.31 < shares["AFP"] < 0.43
        assert 0.21 < shares["UPI"] < 0.31
        assert 0.16 < shares["SPX"] < 0.25
        assert 0.11 < shares["IANS"] < 0.19
        assert 0.002 < shares["ESA"] < 0.04

    def test_esa_only_on_spacedaily(self):
        """ESA press releases appear only on the spacedaily site."""
        esa_sites = {s.site for s in sample() if s.agency == "ESA"}
        assert esa_sites == {"spacedaily"}

    def test_bylines_match_the_agency(self):
        """SPX stories are by "Staff Writers"; others carry an invented two-part name."""
        for story in sample():
            if story.agency == "SPX":
                assert story.byline == "Staff Writers"
            else:
                assert story.byline != "Staff Writers"
                assert len(story.byline.split()) >= 2

    def test_signoffs_follow_the_agency_conventions(self):
        """AFP always signs off with initials groups, UPI/IANS sometimes, SPX/ESA never."""
        by_agency: dict[str, list[str]] = {}
        for story in sample():
            by_agency.setdefault(story.agency, []).append(story.signoff)
        assert all(AFP_SIGNOFF.match(s) for s in by_agency["AFP"])
        assert any(s.startswith("burs/") for s in by_agency["AFP"])
        for code in ("UPI", "IANS"):
            signed = [s for s in by_agency[code] if s]
            assert 0 < len(signed) < len(by_agency[code])
            assert all(AFP_SIGNOFF.match(s) for s in signed)
        assert set(by_agency["SPX"]) == {""}
        assert set(by_agency["ESA"]) == {""}

    def test_places_are_nonempty_datelines(self):
        """Each story has a dateline city, and each site draws on several."""
        places_by_site: dict[str, set[str]] = {}
        for story in sample():
            assert story.place and story.place == story.place.strip()
            places_by_site.setdefault(story.site, set()).add(story.place)
        assert all(len(places) >= 10 for places in places_by_site.values())

    def test_headlines_are_sentence_case_and_sized(self):
        """Headlines are 30-100 chars, start with a capital and have no final period."""
        for story in sample():
            assert 30 <= len(story.headline) <= 100
            assert not story.headline[0].islower()
            assert not story.headline.endswith(".")

    def test_headline_duplicate_rate_is_low(self):
        """Fewer than 2% of 5,000 stories repeat an earlier headline."""
        headlines = [s.headline for s in sample()]
        duplicate_rate = 1 - len(set(headlines)) / len(headlines)
        assert duplicate_rate < 0.02

    def test_paragraph_count_and_text_size(self):
        """Stories have 6-15 paragraphs and 1.5-4 KB of text."""
        for story in sample():
            assert 6 <= len(story.paragraphs) <= 15
            assert 1500 <= sum(len(p) for p in story.paragraphs) <= 4000
            assert all(p and p == p.strip() for p in story.paragraphs)

    def test_subheads_in_a_fraction_and_formatted(self):
        """About 40% of stories get one "## '...'" subhead in the second half of the body."""
        with_subhead = 0
        for story in sample():
            subheads = [i for i, p in enumerate(story.paragraphs) if p.startswith("## ")]
            assert len(subheads) <= 1
            if subheads:
                with_subhead += 1
                (at,) = subheads
                assert SUBHEAD.match(story.paragraphs[at])
                text_before = at
                text_after = len(story.paragraphs) - at - 1
                assert text_before > text_after >= 1
        assert 0.35 < with_subhead / len(sample()) < 0.45

    def test_teaser_is_short_and_from_the_first_paragraph(self):
        """The teaser is at most 300 characters and taken from the first paragraph."""
        for story in sample():
            assert 0 < len(story.teaser) <= 300
            assert story.paragraphs[0].startswith(story.teaser.removesuffix("..."))

    def test_text_has_no_template_leftovers(self):
        """No unfilled {placeholders}, doubled spaces or empty quotes reach the text."""
        for story in sample(1000, seed=5):
            for text in (story.headline, story.teaser, *story.paragraphs):
                assert "{" not in text and "}" not in text
                assert "  " not in text
                assert '""' not in text

    def test_custom_sites_are_honoured(self):
        """A custom `sites` list is used as given, with a generic vocabulary for new sections."""
        sites = [("gadgets", "Gadget Daily", "gadgets.localhost", ". Gadgets .", [("phones", "P")])]
        stories = list(generate_stories(200, seed=3, start=START, end=END, sites=sites))
        assert {(s.site, s.section) for s in stories} == {("gadgets", "phones")}
        assert "ESA" not in {s.agency for s in stories}
        assert all(6 <= len(s.paragraphs) <= 15 for s in stories)

    def test_stories_are_immutable(self):
        """GeneratedStory is frozen."""
        story = sample()[0]
        with pytest.raises(FrozenInstanceError):
            story.headline = "Changed"  # type: ignore[misc]
