import pytest

from dateline.articles.html import (
    BodyTooDeep,
    body_sanitise,
    paragraphs_to_html,
    teaser_from_body,
)


class BodySanitiseTests:
    def test_keeps_story_structure(self):
        """Paragraphs, subheads, lists and http links survive sanitising."""
        html = '<p>One <a href="https://example.org/x">link</a></p><h2>Sub</h2><ul><li>a</li></ul>'
        clean = body_sanitise(html)
        for part in ("<p>One", 'href="https://example.org/x"', "<h2>Sub</h2>", "<li>a</li>"):
            assert part in clean

    def test_drops_what_runs(self):
        """Scripts, styles, handlers, iframes and javascript: URLs are removed."""
        hostile = (
            "<script>alert(1)</script><style>p{}</style><p onmouseover=x()>t</p>"
            '<iframe src="https://evil"></iframe><a href="javascript:alert(1)">j</a>'
            '<a href="data:text/html,<script>alert(1)</script>">d</a>'
        )
        clean = body_sanitise(hostile)
        for bad in ("<script", "<style", "onmouseover", "<iframe", "javascript:", "data:"):
            assert bad not in clean


class BodyDepthTests:
    @pytest.mark.parametrize(
        "hostile",
        ["<div>" * 300, "<b><div>x</b>" * 300, "<div>x</span>" * 300, "<i><b>x</i>" * 300],
    )
    def test_nesting_past_the_limit_is_refused(self, hostile):
        """HTML nested deeper than any article, closed or misnested as a parser would
        leave it open, is refused before the sanitiser spends minutes on it."""
        with pytest.raises(BodyTooDeep, match="more than 200 deep"):
            body_sanitise(hostile)

    def test_closed_and_self_closing_elements_do_not_deepen(self):
        """Elements closed in turn, void elements and paragraphs without end tags keep
        the depth low, however many there are."""
        html = "<div><p>a</p></div>" * 500 + "<p>b<br>" * 500 + "<b><i>c</i></b>" * 500
        assert body_sanitise(html).count("<br>") == 500


class ParagraphsTests:
    def test_subheads_become_headings(self):
        """'## ' lines and wire subheads '- ... -' become <h2>; text is escaped."""
        html = paragraphs_to_html(["A <b>", "## 'Turning point'", "- 'Days now numbered' -", "B"])
        assert html == (
            "<p>A &lt;b&gt;</p>\n<h2>'Turning point'</h2>\n<h2>'Days now numbered'</h2>\n<p>B</p>"
        )

    def test_teaser_cut_at_word(self):
        """A long first paragraph is cut at a word boundary with an ellipsis."""
        teaser = teaser_from_body("<p>" + "word " * 100 + "</p>", limit=50)
        assert teaser.endswith(" ...") and len(teaser) <= 54 and "wor ..." not in teaser
