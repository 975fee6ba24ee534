from dateline.search.query import fts5_expression, parse, tsquery_expression


class QueryTests:
    def test_words_phrases_exclusions(self):
        """Words, "quoted phrases" and -exclusions parse into required and excluded terms."""
        query = parse('missile "air defence" -drill -"test site"')
        assert query.required == (("missile",), ("air", "defence"))
        assert query.excluded == (("drill",), ("test", "site"))

    def test_operators_are_only_words(self):
        """Engine operators and punctuation typed by a reader are plain words, never syntax;
        words joined by punctuation (well-known, col:y) are a phrase, as the engines index them."""
        query = parse('OR NEAR(a b) * ^x col:y "unclosed')
        assert fts5_expression(query) == (
            '{headline body_text} : ("or" "near a" "b" "x" "col y" "unclosed")'
        )
        assert fts5_expression(parse("radar"), site_id=3) == (
            'site_id : "3" AND {headline body_text} : ("radar")'
        )
        assert "'" not in "".join(w for phrase in query.required for w in phrase)
        assert tsquery_expression(parse("a -b")) == "('a') & !('b')"

    def test_empty_and_only_exclusions(self):
        """A query with nothing required matches nothing."""
        assert parse("").empty and parse("-war").empty and parse("!!!").empty
