"""Near-duplicate signatures, version 2 (dateline/wire/clusters.py: words hashed in
numpy, one permutation hashing, a third to a quarter of version 1's CPU time at
ingest). The two versions' signatures do not compare: an item signed by one would
match no story signed by the other. So every item's signature is made anew from its
headline and body, and the band index (ClusterBand) is rebuilt from them as ingest
builds it (services._cluster, _bands_store): in the order the items arrived (their
ids), each item that was then the newest version of its guid upserts its 16 bands
for its cluster and week (the story's dateline time, else its arrival), a cluster's
row pointing at the latest of them. Items are read a chunk at a time. Going back
makes version 1's signatures and bands again.

Both versions' code is copied here as it was written, not imported: clusters.py will
change (a third version would come with its own migration, run after this one), and
this migration must go on making what it says, from whatever state a database is
migrated. tests/wire/test_migrations.py holds the copy of version 2 to clusters.py's
signatures today, and the copy of version 1 to what that version stored."""

import hashlib
import re
import zlib
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import migrations
from django.db.models import Exists, OuterRef

NUM_PERM = 64
BANDS, ROWS = 16, 4
_TAGS = re.compile(r"<[^>]+>")


# Both versions: words, CJK pairs, band keys, cluster hashes and weeks.

# Chinese, Japanese and Korean are written without spaces between words: their runs
# are cut into overlapping character pairs, the usual tokens for such text.
_CJK_LEAD = re.compile(rb"[\xe3-\xe9\xea-\xed]")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]+")
_CJK_PUNCTUATION = str.maketrans(
    {
        c: " "
        for c in "\u3001\u3002\uff0c\uff01\uff1f\uff1a\uff1b\u300c\u300d\u300e\u300f\uff08\uff09"
    }
)


def _split_cjk(words: list[bytes]) -> list[bytes]:
    out = []
    for word in words:
        text = word.decode("utf-8", "ignore").translate(_CJK_PUNCTUATION)
        if not _CJK_RUN.search(text):
            out.append(word)
            continue
        for part in text.split():
            position = 0
            for run in _CJK_RUN.finditer(part):
                if run.start() > position:
                    out.append(part[position : run.start()].encode())
                chars = run.group()
                pairs = [chars[i : i + 2] for i in range(max(1, len(chars) - 1))]
                out.extend(pair.encode() for pair in pairs)
                position = run.end()
            if position < len(part):
                out.append(part[position:].encode())
    return out


_BAND_MULTIPLIERS = np.array(
    [[0x39A70CA25BC93577, 0x5599657082243E37, 0x6E58903C3F576187, 0x31B2F0433D5F8A29]],
    dtype=np.uint64,
)
_BAND_SALTS = np.array(
    [
        0x708C7D6BCE5153CC, 0x5F83718D38F70E2E, 0x2BF47EF18F7E0EAE, 0x279DE43CC9017C0D,
        0x6D3E250E3AFCE992, 0x71381B3826018D23, 0x585B4567AB9C78CB, 0x4F0AA3031464A13B,
        0x1400035FF7286375, 0x44866B6E199BF229, 0x282FCB8EB9277751, 0x769B65857BC4E083,
        0x1C7A77F54E2E6E0B, 0x157FCD57D4357350, 0x05B09C784A407421, 0x1471E9557C7939F8,
    ],
    dtype=np.uint64,
)  # fmt: skip


def _band_keys_many(signatures: np.ndarray) -> list[list[int]]:
    rows = signatures.reshape(-1, BANDS, ROWS).astype(np.uint64)
    # Wrapping multiplication is the hash (numpy does not warn for arrays).
    mixed = (rows * _BAND_MULTIPLIERS).sum(axis=2, dtype=np.uint64) ^ _BAND_SALTS
    mixed ^= mixed >> np.uint64(29)
    mixed *= np.uint64(0xBF58476D1CE4E5B9)
    mixed ^= mixed >> np.uint64(32)
    return mixed.view(np.int64).tolist()


def _cluster_hash(cluster_key: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(cluster_key.encode(), digest_size=8).digest(), "big", signed=True
    )


def _period_of(at: datetime) -> int:
    return (at - datetime(1970, 1, 5, tzinfo=UTC)) // timedelta(days=7)


# Version 1.

_random = np.random.RandomState(20261125)  # fixed: signatures must agree across processes
_V1_A = _random.randint(1, 2**63, size=(NUM_PERM, 1), dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_V1_B = _random.randint(0, 2**63, size=(NUM_PERM, 1), dtype=np.uint64)
_V1_SHIFT = np.uint64(32)
_V1_MASK = np.uint64(0xFFFFFFFF)
_V1_SEPARATORS = bytes(b if (b >= 0x80 or chr(b).isalnum()) else 0x20 for b in range(256))


def _v1_shingles(headline: str, body_html: str) -> np.ndarray:
    """The item's word 3-gram hashes (uint64 holding 32 bits), at least one."""
    text = f"{headline} {_TAGS.sub(' ', body_html)}".lower().encode()
    words = text.translate(_V1_SEPARATORS).split()
    if not text.isascii() and _CJK_LEAD.search(text):  # isascii: C, ten times faster
        words = _split_cjk(words)
    hashes = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    if len(hashes) >= 3:
        # Wrapping uint64 arithmetic, then 32 bits: a hash of the three words in order.
        shingles = hashes[:-2] * np.uint64(0x9E3779B1)
        shingles += hashes[1:-1] * np.uint64(0x85EBCA77)
        shingles += hashes[2:]
        shingles &= _V1_MASK
        return shingles
    if len(hashes):
        return hashes
    return np.zeros(1, dtype=np.uint64)


def _v1_signatures(texts) -> np.ndarray:
    """64 multiply-shift permutations of 32-bit shingle hashes, the least of each."""
    out = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    for row, (headline, body_html) in enumerate(texts):
        permuted = _V1_A * _v1_shingles(headline, body_html)
        permuted += _V1_B
        out[row] = permuted.min(axis=1) >> _V1_SHIFT
    return out


# Version 2 (how it works: clusters.py's docstring as that version was written).

_SEPARATORS = bytes(0 if b < 0x80 and not chr(b).isalnum() else b for b in range(256))


def _text(headline: str, body_html: str) -> bytes:
    """The item's words: lower case, tags dropped, UTF-8 (separators not yet made NUL)."""
    text = f"{headline} {_TAGS.sub(' ', body_html)}".lower().encode()
    if not text.isascii() and _CJK_LEAD.search(text):  # isascii: C, ten times faster
        text = b" ".join(_split_cjk(text.translate(_SEPARATORS).split(b"\0")))
    return text


_U64 = np.uint64
_WINDOW_MULTIPLIER = _U64(0x9E3779B97F4A7C15)
_FIRST_WORD, _SECOND_WORD = _U64(0x85EBCA77C2B2AE63), _U64(0xC2B2AE3D27D4EB4F)
_NO_WORDS = _U64(0x27D4EB2F165667C5)  # the one shingle of a text without words
_ROUND = _U64(0x165667B19E3779F9)
_MIX_1, _MIX_2, _MIX_SHIFT = _U64(0xFF51AFD7ED558CCD), _U64(0xC4CEB9FE1A85EC53), _U64(33)
_LENGTH_MASKS = np.array([(1 << (8 * length)) - 1 for length in range(9)], dtype=_U64)
_WINDOWS = 4  # a word of up to 4 windows (32 bytes) is hashed in numpy
_BIN_SHIFT, _VALUE_MASK, _ROUND_SHIFT = _U64(58), _U64(0xFFFFFFFF), _U64(32)
_EMPTY = _U64(2**64 - 1)  # a bin no shingle has reached: more than any value or round key
_PER_PASS = 4 * NUM_PERM  # shingles thrown per lacking text and pass: e**-4 of a bin empty
# How much is computed at once (texts signed together, a large one's pieces), which
# changes the cost, never the result.
_PIECE = 1 << 17
_WORDS_PER_CHUNK = 1 << 16


def _mix(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's fmix64, in place: each bit of the result depends on every bit of x."""
    x ^= x >> _MIX_SHIFT
    x *= _MIX_1
    x ^= x >> _MIX_SHIFT
    x *= _MIX_2
    x ^= x >> _MIX_SHIFT
    return x


def _v2_signatures(texts) -> np.ndarray:
    """The signatures of (headline, body_html) pairs, as a (n, 64) uint32 array.
    The arithmetic wraps modulo 2**64 by design (numpy does not warn for arrays)."""
    out = np.empty((len(texts), NUM_PERM), dtype=np.uint32)
    words = [_text(headline, body_html) for headline, body_html in texts]
    first = 0
    while first < len(words):
        size, last = len(words[first]) + 1, first + 1
        while last < len(words) and size + len(words[last]) + 1 <= _PIECE:
            size += len(words[last]) + 1
            last += 1
        out[first:last] = _group_signatures(words[first:last])
        first = last
    return out


def _group_signatures(texts: list[bytes]) -> np.ndarray:
    """The signatures of texts signed together (or of one large text), as uint64."""
    count = len(texts)
    # NUL before, between and after the texts, and eight more for the last windows.
    data = b" ".join([b"", *texts, b" " * 7]).translate(_SEPARATORS)
    hashes, word_ends = _word_hashes(data, np.cumsum([len(text) + 1 for text in texts]))
    words_per_text = np.diff(word_ends, prepend=0)
    # Each text's bins, and one more row for the shingles across two texts.
    bins = np.full((count + 1, NUM_PERM), _EMPTY, dtype=_U64)
    if count > 1:  # (a text alone may be a large one: its shingles are all its own)
        word_owners = np.repeat(np.arange(count), words_per_text)
        changes = word_owners[:-2] != word_owners[2:]
    thrown = []  # shingle hashes and their texts, for the rounds of bins left empty
    for start in range(0, len(hashes) - 2, _WORDS_PER_CHUNK):
        end = min(start + _WORDS_PER_CHUNK, len(hashes) - 2)
        shingles = hashes[start:end] * _FIRST_WORD
        shingles += hashes[start + 1 : end + 1] * _SECOND_WORD
        shingles += hashes[start + 2 : end + 2]
        if count > 1:
            owners = word_owners[start:end].copy()
            owners[changes[start:end]] = count
        else:
            owners = np.zeros(end - start, dtype=np.intp)
        thrown.append(_throw(bins, _mix(shingles), owners, alone=count == 1))
    few = np.flatnonzero(words_per_text < 3)
    if len(few):
        # A text of one or two words has its words for shingles; one of none, one shingle.
        words = [np.arange(word_ends[i] - words_per_text[i], word_ends[i]) for i in few]
        none = few[words_per_text[few] == 0]
        shingles = np.concatenate([hashes[np.concatenate(words)], np.full(len(none), _NO_WORDS)])
        owners = np.concatenate([np.repeat(few, words_per_text[few]), none])
        thrown.append(_throw(bins, _mix(shingles), owners, alone=False))
    lacking = (bins[:count] == _EMPTY).any(axis=1)
    if lacking.any():
        _densify(bins, lacking, thrown)
    return bins[:count] & _VALUE_MASK


def _word_hashes(data: bytes, text_ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each word's hash, and the number of words up to the end of each text.

    ``data``'s words are between NUL bytes, and it starts with one and ends with
    eight. It is read in pieces of about _PIECE bytes cut between words (a piece
    holding a longer word ends with it), so that the working arrays stay that small."""
    array = np.frombuffer(data, dtype=np.uint8)
    windows = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
    end_of_words = len(data) - 8
    hashes, word_ends = [], np.zeros(len(text_ends), dtype=np.intp)
    begin = 0
    while begin < end_of_words:
        end = min(begin + _PIECE, end_of_words)
        if end < end_of_words:
            cut = data.rfind(0, begin + 1, end)
            end = cut if cut != -1 else data.find(0, end)
        in_word = array[begin : end + 1] != 0  # NUL at both ends
        edges = np.flatnonzero(in_word[1:] != in_word[:-1])
        edges += begin + 1
        starts, lengths = edges[0::2], edges[1::2] - edges[0::2]
        hashes.append(_hash_words(data, windows, starts, lengths))
        word_ends += np.searchsorted(starts, text_ends)
        begin = end
    return (np.concatenate(hashes) if len(hashes) != 1 else hashes[0]), word_ends


def _hash_words(data: bytes, windows: np.ndarray, starts, lengths) -> np.ndarray:
    """The hash of each word: its bytes as 8-byte windows combined by multiply-add, or
    for a word longer than _WINDOWS windows, a BLAKE2b digest of them."""
    hashes = windows[starts]
    hashes &= _LENGTH_MASKS[np.minimum(lengths, 8)]
    longer = np.flatnonzero(lengths > 8)
    for window in range(1, _WINDOWS):
        if not len(longer):
            break
        rest = lengths[longer] - 8 * window
        part = windows[starts[longer] + 8 * window]
        part &= _LENGTH_MASKS[np.minimum(rest, 8)]
        hashes[longer] = hashes[longer] * _WINDOW_MULTIPLIER + part
        longer = longer[rest > 8]
    for index in longer.tolist():
        word = data[starts[index] : starts[index] + lengths[index]]
        hashes[index] = int.from_bytes(hashlib.blake2b(word, digest_size=8).digest(), "little")
    return hashes


def _throw(bins: np.ndarray, hashed: np.ndarray, owners: np.ndarray, *, alone: bool):
    """Round 0: each shingle into its text's bin picked by its hash's top bits, the
    bin keeping the least low 32 bits. Returns what later rounds need: the hashes
    and their texts, each hash once for a text signed alone (a large one repeating
    itself then keeps little)."""
    where = (hashed >> _BIN_SHIFT).view(np.int64)
    where += owners * NUM_PERM
    np.minimum.at(bins.reshape(-1), where, hashed & _VALUE_MASK)
    if alone:
        hashed = np.unique(hashed)
        owners = owners[: len(hashed)]
    return hashed, owners


def _densify(bins: np.ndarray, lacking: np.ndarray, thrown: list) -> None:
    """Fill the bins that round 0 left empty, by rounds 1, 2, ...: round r throws each shingle of a lacking text into a bin picked by a
    hash of (its hash, r), keyed (r, value), so that an empty bin gets the least value
    of the first round that reaches it and a filled one (a value under 2**32) stays."""
    count = len(lacking)
    hashed = np.concatenate([hashed for hashed, owners in thrown])
    owners = np.concatenate([owners for hashed, owners in thrown])
    made = np.ones(count, dtype=np.int64)  # rounds made per text: round 0
    passes = 0
    while lacking.any():
        chosen = np.append(lacking, False)[owners]  # (not the row across two texts)
        hashed, owners = hashed[chosen], owners[chosen]
        if passes:  # rare, and then a text that repeats itself costs what it says
            order = np.lexsort((hashed, owners))
            hashed, owners = hashed[order], owners[order]
            distinct = np.ones(len(hashed), dtype=bool)
            distinct[1:] = (hashed[1:] != hashed[:-1]) | (owners[1:] != owners[:-1])
            hashed, owners = hashed[distinct], owners[distinct]
        # Enough rounds for each text to throw about _PER_PASS shingles.
        rounds = -(-_PER_PASS // np.maximum(np.bincount(owners, minlength=count), 1))
        rounds[~lacking] = 0
        if rounds.max() == 1:  # the usual case: long texts, a bin or two empty
            repeated, numbers, again = owners, made[owners], hashed.copy()
        else:  # each shingle once per round of its text, numbered from the text's next
            each = rounds[owners]
            repeated = np.repeat(owners, each)
            numbers = np.arange(len(repeated)) - np.repeat(np.cumsum(each) - each, each)
            numbers += made[repeated]
            again = np.repeat(hashed, each)
        numbers = numbers.astype(_U64)
        again += numbers * _ROUND
        _mix(again)
        keys = again & _VALUE_MASK
        keys |= numbers << _ROUND_SHIFT
        where = (again >> _BIN_SHIFT).view(np.int64)
        where += repeated * NUM_PERM
        np.minimum.at(bins.reshape(-1), where, keys)
        made += rounds
        passes += 1
        lacking = (bins[:count] == _EMPTY).any(axis=1)


# The rebuild.

_CHUNK = 500  # items read, signed and written at a time
# As services._bands_store writes them: a cluster's row follows its latest item.
_UPSERT = (
    "INSERT INTO wire_clusterband (period, band_key, cluster_hash, item_id, at)"
    " VALUES (%s, %s, %s, %s, %s)"
    " ON CONFLICT (period, band_key, cluster_hash) DO UPDATE SET item_id = excluded.item_id,"
    " at = CASE WHEN excluded.at > wire_clusterband.at THEN excluded.at ELSE wire_clusterband.at END"
)


def _rebuild(signatures):
    def rebuild(apps, schema_editor):
        WireItem = apps.get_model("wire", "WireItem")
        connection = schema_editor.connection
        adapt = connection.ops.adapt_datetimefield_value
        # Newest on arrival: no higher version of its guid had arrived before it (ids
        # follow arrival, within a batch too). Stale copies are never indexed.
        higher_before = WireItem.objects.filter(
            source_id=OuterRef("source_id"), guid=OuterRef("guid"),
            version__gt=OuterRef("version"), id__lt=OuterRef("id"),
        )  # fmt: skip
        items = WireItem.objects.annotate(indexed=~Exists(higher_before)).order_by("id")
        fields = ("id", "headline", "body_html", "cluster_key", "dateline_at", "received_at")
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM wire_clusterband")
            last = 0
            while chunk := list(items.filter(id__gt=last).values_list(*fields, "indexed")[:_CHUNK]):
                last = chunk[-1][0]
                made = signatures([(headline, body_html) for _, headline, body_html, *_ in chunk])
                cursor.executemany(
                    "UPDATE wire_wireitem SET minhash = %s WHERE id = %s",
                    [
                        (signature.tobytes(), row[0])
                        for signature, row in zip(made, chunk, strict=True)
                    ],
                )
                rows = []
                for row, bands in zip(chunk, _band_keys_many(made), strict=True):
                    item_id, _, _, cluster_key, dateline_at, received_at, indexed = row
                    if indexed:  # the story's time; arrival stands for ingest's "now"
                        at = dateline_at or received_at
                        cluster, period = _cluster_hash(cluster_key), _period_of(at)
                        rows.extend((period, band, cluster, item_id, adapt(at)) for band in bands)
                cursor.executemany(_UPSERT, rows)

    return rebuild


class Migration(migrations.Migration):
    dependencies = [
        ("wire", "0007_delivery_partial"),
    ]

    operations = [
        migrations.RunPython(_rebuild(_v2_signatures), _rebuild(_v1_signatures), elidable=True),
    ]
