"""Our small query syntax, the same on both engines: words (all must match),
"quoted phrases" (in that order), and -exclusions (a word or a "phrase")."""

import re
from dataclasses import dataclass

_TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Query:
    required: tuple[tuple[str, ...], ...]  # each a phrase of one or more words
    excluded: tuple[tuple[str, ...], ...]

    @property
    def empty(self) -> bool:
        return not self.required


def parse(text: str, *, max_terms: int = 12) -> Query:
    required, excluded = [], []
    for minus_phrase, phrase, minus_word, word in _TOKEN.findall((text or "")[:500]):
        words = tuple(_WORD.findall((phrase or word).lower()))
        if not words:
            continue
        (excluded if (minus_phrase or minus_word) else required).append(words)
    return Query(tuple(required[:max_terms]), tuple(excluded[:max_terms]))


def fts5_expression(query: Query, *, site_id: int | None = None) -> str:
    """SQLite FTS5 MATCH syntax: every term a quoted string (no operator injection),
    looked for in the headline and text only; ``site_id`` narrows to one site's
    documents inside the index (its own column, see search migration 0002)."""
    parts = ['"' + " ".join(words) + '"' for words in query.required]
    parts += ['NOT "' + " ".join(words) + '"' for words in query.excluded]
    expression = "{headline body_text} : (" + " ".join(parts) + ")"
    if site_id is not None:
        expression = f'site_id : "{int(site_id)}" AND {expression}'
    return expression


def tsquery_expression(query: Query) -> str:
    """PostgreSQL to_tsquery syntax: words quoted, phrases with <->, exclusions with !."""

    def phrase(words):
        inner = " <-> ".join(f"'{w}'" for w in words)
        return f"({inner})"

    parts = [phrase(words) for words in query.required]
    parts += [f"!{phrase(words)}" for words in query.excluded]
    return " & ".join(parts)


def tsquery_words(query: Query) -> str:
    """PostgreSQL to_tsquery syntax: every required word, in any order (what a GIN
    index can answer without looking at positions)."""
    return " & ".join(f"'{word}'" for words in query.required for word in words)
