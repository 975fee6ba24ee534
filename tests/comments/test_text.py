from dateline.comments.text import comment_html, link_count


class CommentHtmlTests:
    def test_paragraphs_from_blank_lines(self):
        """Blank lines separate paragraphs; single line breaks stay inside one."""
        assert comment_html("One\nstill one\n\nTwo") == "<p>One\nstill one</p><p>Two</p>"

    def test_links_are_nofollow_ugc(self):
        """Links keep their address and get rel="nofollow ugc"."""
        html = comment_html('See <a href="https://example.org/a" onclick="x()">this</a>')
        assert html == '<p>See <a href="https://example.org/a" rel="nofollow ugc">this</a></p>'

    def test_bare_addresses_become_links(self):
        """A bare web address becomes a link; trailing punctuation stays outside."""
        html = comment_html("Read https://example.org/report.")
        assert html == (
            '<p>Read <a href="https://example.org/report" rel="nofollow ugc">'
            "https://example.org/report</a>.</p>"
        )

    def test_only_paragraphs_and_links_survive(self):
        """Scripts (with their text), styles, images, handlers and other tags go."""
        html = comment_html(
            "<script>alert(1)</script><b>bold</b><img src=x onerror=alert(1)>"
            "<style>p{}</style><iframe src=//evil></iframe>"
        )
        assert html == "<p>bold</p>"

    def test_javascript_urls_dropped(self):
        """Links to javascript: and data: lose their href."""
        assert "href" not in comment_html('<a href="javascript:alert(1)">x</a>')
        assert "href" not in comment_html('<a href="data:text/html,<script>">x</a>')

    def test_link_count(self):
        """Links are counted in the sanitised HTML, bare addresses included."""
        assert (
            link_count(comment_html("https://a.example/ and <a href='https://b.example/'>b</a>"))
            == 2
        )
