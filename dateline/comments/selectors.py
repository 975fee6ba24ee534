"""Reads of comments: a site's settings, an article's thread and count, bans."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.cache import cache

from dateline.articles.models import Placement

from .models import BannedAddress, Comment, SiteComments

VISIBLE = Comment.Status.APPROVED


def thread_keys(placement_id: int) -> tuple[str, str]:
    """Fragment keys of an article's comment thread and comment count."""
    return f"comments:{placement_id}", f"comments-count:{placement_id}"


def settings_cache_key(site_id: int) -> str:
    return f"dateline:comments:settings:{site_id}"


def comment_settings_for(site) -> SiteComments:
    """The site's comment settings; built-in comments with pre-moderation by default.
    Kept in Django's cache (article pages read them on every view); saving them
    through the service forgets the cached copy."""
    key = settings_cache_key(site.id)
    site_settings = cache.get(key)
    if site_settings is None:
        site_settings = SiteComments.objects.filter(site=site).first() or SiteComments(site=site)
        cache.set(key, site_settings, 300)
    return site_settings


@dataclass
class CommentNode:
    """A comment as a thread shows it; ``removed`` when it is hidden but has replies."""

    id: int
    author_name: str
    body_html: str
    published_at: datetime | None
    removed: bool = False
    replies: list["CommentNode"] = field(default_factory=list)


def article_thread(*, site, story_id: int) -> list[CommentNode]:
    """Published comments on a story on this site, oldest first, replies under their
    parents. A hidden comment with published replies stays as a placeholder."""
    rows = list(
        Comment.objects.filter(site=site, story_id=story_id)
        .exclude(status=Comment.Status.UNVERIFIED)
        .order_by("created_at", "id")
        .values_list("id", "parent_id", "status", "author_name", "body_html", "published_at")[
            : settings.DATELINE_COMMENTS_MAX_PER_PAGE
        ]
    )
    nodes: dict[int, CommentNode] = {}
    parents: dict[int, int | None] = {}
    for comment_id, parent_id, status, name, html, published_at in rows:
        visible = status == VISIBLE
        nodes[comment_id] = CommentNode(
            comment_id,
            name if visible else "",
            html if visible else "",
            published_at,
            removed=not visible,
        )
        parents[comment_id] = parent_id
    roots: list[CommentNode] = []
    for comment_id, node in nodes.items():
        parent_id = parents[comment_id]
        if parent_id in nodes:
            nodes[parent_id].replies.append(node)
        else:
            roots.append(node)
    return [node for node in roots if _has_visible(node)]


def _has_visible(node: CommentNode) -> bool:
    node.replies = [reply for reply in node.replies if _has_visible(reply)]
    return not node.removed or bool(node.replies)


def count_published(thread: list[CommentNode]) -> int:
    """How many published comments a thread shows (placeholders do not count)."""
    return sum((not node.removed) + count_published(node.replies) for node in thread)


def live_placement(*, site, placement_id: int) -> Placement | None:
    """A live placement of this site (comments are written from its page)."""
    return (
        Placement.objects.select_related("story")
        .filter(site=site, pk=placement_id, is_live=True)
        .first()
    )


def is_banned(email: str) -> bool:
    return BannedAddress.objects.filter(email=email.strip().lower()).exists()


def visible_comment(*, site, comment_id: int) -> Comment | None:
    return Comment.objects.filter(site=site, pk=comment_id, status=VISIBLE).first()


def live_placement_of_story(*, site, story_id: int) -> Placement | None:
    """The story's live placement on this site (its canonical one first)."""
    return (
        Placement.objects.filter(site=site, story_id=story_id, is_live=True)
        .order_by("-is_canonical", "id")
        .first()
    )
