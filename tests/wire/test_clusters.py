"""The near-duplicate signature (dateline/wire/clusters.py): how well it estimates the
Jaccard similarity of two texts' word 3-grams, whether the bands find the pairs that
matter, and what it makes of texts at the edges (few words, other scripts and cases,
very long words, a large body)."""

import math
import random
import string
import tracemalloc
from datetime import UTC, datetime

import numpy as np

from dateline.demo.generator import generate_stories
from dateline.wire import clusters

LEVELS = (0.9, 0.7, 0.5, 0.3, 0.1)
PAIRS = 200


def _vocabulary(size: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    words = set()
    while len(words) < size:
        words.add("".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 11))))
    return sorted(words)


VOCABULARY = _vocabulary(20_000, seed=5)


def _trigrams(words: list[str]) -> set:
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def _pairs(similarity: float, words: int, seed: int) -> tuple[list, list, np.ndarray]:
    """Pairs of texts of ``words`` distinct words whose word 3-gram sets have about that
    Jaccard similarity: the second keeps a run of the first's words and has new words
    after it. Returns the firsts, the seconds and each pair's exact similarity."""
    rng = random.Random(seed)
    shingles = words - 2
    shared = round(2 * similarity * shingles / (1 + similarity))  # |A & B| / |A | B|
    firsts, seconds, exact = [], [], []
    for _ in range(PAIRS):
        first = rng.sample(VOCABULARY[:10_000], words)
        kept = shared + 2 if shared else 0
        second = first[:kept] + rng.sample(VOCABULARY[10_000:], words - kept)
        a, b = _trigrams(first), _trigrams(second)
        exact.append(len(a & b) / len(a | b))
        firsts.append(" ".join(first))
        seconds.append(" ".join(second))
    return firsts, seconds, np.array(exact)


def _sign(texts: list[str]) -> np.ndarray:
    return clusters.signatures([("", f"<p>{text}</p>") for text in texts])


def _binomial_mean_abs_error(similarity: float) -> float:
    """The mean absolute error of 64 independent MinHash values: what the first
    version's estimate had, and what ours is held to."""
    n = clusters.NUM_PERM
    return sum(
        math.comb(n, k) * similarity**k * (1 - similarity) ** (n - k) * abs(k / n - similarity)
        for k in range(n + 1)
    )


def _share_a_band(first: np.ndarray, second: np.ndarray) -> bool:
    return bool(set(clusters.band_keys(first)) & set(clusters.band_keys(second)))


class SimilarityEstimateTests:
    def test_estimates_center_on_the_similarity(self):
        """For texts of 500 words, at similarities 0.9 to 0.1, the estimate is unbiased and
        its error no larger than that of 64 independent MinHash values."""
        for level, similarity in enumerate(LEVELS):
            firsts, seconds, exact = _pairs(similarity, words=500, seed=level)
            estimates = (_sign(firsts) == _sign(seconds)).mean(axis=1)
            errors = estimates - exact
            assert abs(errors.mean()) < 0.015, similarity
            assert np.abs(errors).mean() < 1.15 * _binomial_mean_abs_error(similarity), similarity

    def test_short_texts_are_estimated_as_well(self):
        """Texts with fewer shingles than the signature has values (6 to 38 words) are
        estimated without bias, as precisely as long ones."""
        for level, similarity in enumerate(LEVELS):
            for words in (8, 20, 40):
                firsts, seconds, exact = _pairs(similarity, words=words, seed=100 + level)
                estimates = (_sign(firsts) == _sign(seconds)).mean(axis=1)
                errors = estimates - exact
                assert abs(errors.mean()) < 0.02, (similarity, words)
                assert np.abs(errors).mean() <= 1.15 * _binomial_mean_abs_error(exact.mean())

    def test_bands_find_similar_pairs_and_few_others(self):
        """16 bands of 4 make nearly every pair at 0.7 a candidate, most at 0.5 (in
        theory 1 - (1 - 0.5**4)**16 = 64%), and almost none at 0.1; the threshold then
        keeps the pairs at 0.7 and none at 0.3."""
        rates = {}
        for level, similarity in enumerate(LEVELS):
            firsts, seconds, exact = _pairs(similarity, words=500, seed=200 + level)
            a, b = _sign(firsts), _sign(seconds)
            candidates = np.mean([_share_a_band(x, y) for x, y in zip(a, b, strict=True)])
            joined = np.mean((a == b).mean(axis=1) >= clusters.THRESHOLD)
            rates[similarity] = (candidates, joined)
        assert rates[0.9] == (1.0, 1.0)
        assert rates[0.7][0] >= 0.95 and rates[0.7][1] >= 0.99
        assert 0.55 <= rates[0.5][0] <= 0.75
        assert rates[0.3][1] <= 0.01
        assert rates[0.1][0] <= 0.02 and rates[0.1][1] == 0.0

    def test_re_sends_join_and_other_stories_do_not(self):
        """A re-edited re-send (a word changed, the last paragraph dropped, a sentence
        added) scores over the threshold and shares a band with its story; two
        different stories of the same generator score under it."""
        january = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
        stories = list(generate_stories(60, seed=8, start=january[0], end=january[1]))
        originals, resends = [], []
        for story in stories:
            paragraphs = list(story.paragraphs)
            originals.append((story.headline, "".join(f"<p>{p}</p>" for p in paragraphs)))
            first = paragraphs[0].split()
            first[len(first) // 2] = "reportedly"
            edited = [" ".join(first), *paragraphs[1:-1], "More details were not given."]
            resends.append((story.headline, "".join(f"<p>{p}</p>" for p in edited)))
        a, b = clusters.signatures(originals), clusters.signatures(resends)
        for original, resend in zip(a, b, strict=True):
            assert (original == resend).mean() >= clusters.THRESHOLD
            assert _share_a_band(original, resend)
        for i in range(len(a)):
            others = np.delete(a, i, axis=0)
            assert (others == a[i]).mean(axis=1).max() < clusters.THRESHOLD


class SignatureEdgeTests:
    def test_texts_of_no_one_or_two_words(self):
        """A text of no word, one or two words has a signature of its words: the same words
        give the same signature, other words another."""
        empty, one, two = (
            clusters.signature(*text) for text in [("", ""), ("One", ""), ("", "a b")]
        )
        assert empty.shape == one.shape == two.shape == (clusters.NUM_PERM,)
        assert (clusters.signature("", "<p> </p>") == empty).all()
        assert (clusters.signature("", "<p>one</p>") == one).all()
        assert (clusters.signature("A", "<p>B</p>") == two).all()
        assert (clusters.signature("Two", "") == one).mean() < 0.1
        assert (clusters.signature("a c", "") == two).mean() < 1

    def test_case_is_folded_beyond_ascii(self):
        """Upper and lower case are the same words, in other alphabets than ASCII's too."""
        upper = clusters.signature("ÉCOLE ÜBER STRAẞE", "<p>ΑΘΗΝΑ ΚΑΙ ΜΌΣΧΑ</p>")
        lower = clusters.signature("école über straße", "<p>αθηνα και μόσχα</p>")
        assert (upper == lower).all()

    def test_long_words_are_words(self):
        """Words longer than 32 bytes, and one longer than the pieces a text is read in,
        count as words like any other: the same in both texts, or not."""
        tail = " ".join(VOCABULARY[:50])
        long_word, other_long_word = "x" * 40, "x" * 39 + "y"
        huge_word = "z" * 300_000
        a = clusters.signature("", f"<p>{long_word} {huge_word} {tail}</p>")
        b = clusters.signature("", f"<p>{long_word} {huge_word} {tail}</p>")
        c = clusters.signature("", f"<p>{other_long_word} {huge_word}z {tail}</p>")
        assert (a == b).all()
        assert 0.8 < (a == c).mean() < 1  # two of the 50 shingles differ

    def test_batches_sign_each_text_as_alone(self):
        """Texts signed together, large and small, long words and none, have the
        signatures they have alone."""
        stories = [" ".join(VOCABULARY[i : i + 400]) for i in range(0, 8000, 400)]
        texts = [("Army retakes last town", f"<p>{s}</p>") for s in stories]
        texts[3:3] = [("", "<p>" + " ".join(stories * 20) + "</p>"), ("", ""), ("w" * 50, "")]
        texts.append(("", "<p>政府军周五收复了该国西部最后一个被叛军控制的城镇</p>"))
        together = clusters.signatures(texts)
        alone = np.array([clusters.signature(headline, body) for headline, body in texts])
        assert (together == alone).all()

    def test_large_body_in_bounded_memory(self):
        """A body of megabytes is signed in memory of a few times its size (the text's own
        copies), not of its size times the signature's 64 values; and a near-duplicate of
        it still scores as one."""
        paragraphs = [" ".join(VOCABULARY[i : i + 60]) for i in range(0, 20_000, 7)]
        body = "".join(f"<p>{p}</p>" for p in paragraphs)
        tracemalloc.start()
        try:
            large = clusters.signature("Report", body)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert len(body) > 1_000_000
        assert peak < 8 * len(body)
        edited = clusters.signature("Report", body + "<p>One more paragraph at the end.</p>")
        assert (large == edited).mean() >= 0.9
