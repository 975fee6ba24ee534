"""Learned suggestions: a text classifier (scikit-learn) trained on the desk's own
past decisions — which section each published story went to — suggests a section
with a confidence for every new wire item.

The model is a TF-IDF of words and word pairs feeding a linear classifier; it is
trained in the background (``suggestions_retrain``, scheduled in the worker) and
stored in the database, so every web and worker process uses the same one."""

import io
import logging
import re

import joblib
from django.db import transaction
from django.utils import timezone

from dateline.sql import fetch_rows

from .models import SuggestionModel

logger = logging.getLogger("dateline.desk")

TRAINING_LIMIT = 30_000  # the most recent placements; older habits matter less
TEXT_CHARS = 2_000
KEEP_MODELS = 3

_TAG = re.compile(r"<[^>]+>")
_cache: dict = {"id": None, "pipeline": None, "classes": None}


def story_text(headline: str, body_html: str) -> str:
    """What the classifier reads: the headline twice (it carries the most signal)
    and the start of the text."""
    body = _TAG.sub(" ", body_html or "")[:TEXT_CHARS]
    return f"{headline}\n{headline}\n{body}"


def item_text(item) -> str:
    return story_text(item.headline or "", item.body_html or "")


def pipeline_new():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(
            sublinear_tf=True,
            ngram_range=(1, 2),
            min_df=2,
            max_df=0.6,
            stop_words="english",
            strip_accents="unicode",
            max_features=300_000,
        ),
        SGDClassifier(loss="log_loss", alpha=2e-5, max_iter=30, tol=None, random_state=7),
    )


def training_samples(limit: int = TRAINING_LIMIT) -> tuple[list[str], list[int]]:
    """(text, section id) of the most recent published placements."""
    rows = fetch_rows(
        "SELECT st.headline, st.body, p.section_id FROM articles_placement p"
        " JOIN articles_story st ON st.id = p.story_id"
        " WHERE p.is_live = %s ORDER BY p.published_at DESC LIMIT %s",
        [True, limit],
    )
    return [story_text(h, b) for h, b, _ in rows], [section_id for _, _, section_id in rows]


def train(texts: list[str], labels: list[int]):
    pipeline = pipeline_new()
    pipeline.fit(texts, labels)
    return pipeline


def suggestions_retrain(*, min_samples: int = 20) -> SuggestionModel | None:
    """Train on the desk's decisions and store the model; None when there are too
    few decisions (or only one section) to learn from."""
    texts, labels = training_samples()
    if len(texts) < min_samples or len(set(labels)) < 2:
        logger.info("classifier not trained: %d decisions in %d sections", len(texts),
                    len(set(labels)))  # fmt: skip
        return None
    pipeline = train(texts, labels)
    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer, compress=3)
    with transaction.atomic():
        model = SuggestionModel.objects.create(
            sample_count=len(texts), class_count=len(set(labels)), data=buffer.getvalue()
        )
        keep = SuggestionModel.objects.order_by("-trained_at", "-id").values_list("id", flat=True)
        SuggestionModel.objects.exclude(id__in=list(keep[:KEEP_MODELS])).delete()
    logger.info("classifier trained on %d decisions, %d sections", len(texts), len(set(labels)))
    return model


def _pipeline():
    latest = SuggestionModel.objects.order_by("-trained_at", "-id").values_list("id", flat=True)
    latest_id = latest.first()
    if latest_id is None:
        return None
    if _cache["id"] != latest_id:
        data = SuggestionModel.objects.values_list("data", flat=True).get(id=latest_id)
        # Our own bytes from our own database (never user input).
        pipeline = joblib.load(io.BytesIO(bytes(data)))  # noqa: S301
        _cache.update(id=latest_id, pipeline=pipeline)
    return _cache["pipeline"]


def rank(pipeline, texts: list[str], k: int = 3) -> list[list[tuple[int, float]]]:
    """The ``k`` likeliest sections of each text, with probabilities."""
    probabilities = pipeline.predict_proba(texts)
    classes = pipeline.classes_
    ranked = []
    for row in probabilities:
        top = row.argsort()[::-1][:k]
        ranked.append([(classes[i].item(), float(row[i])) for i in top])
    return ranked


def model_exists() -> bool:
    return SuggestionModel.objects.exists()


def suggest_many(texts: list[str], k: int = 3) -> list[list[tuple[int, float]]] | None:
    pipeline = _pipeline()
    if pipeline is None or not texts:
        return None
    return rank(pipeline, texts, k)


def model_age():
    latest = SuggestionModel.objects.order_by("-trained_at").values_list("trained_at", flat=True)
    stamp = latest.first()
    return None if stamp is None else timezone.now() - stamp
