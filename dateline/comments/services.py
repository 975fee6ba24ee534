"""State changes of comments: submit, verify, moderate, report, ban."""

import logging
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from dateline.articles.fragments import fragments_invalidate
from dateline.articles.models import Placement
from dateline.bake.pages import Targets, site_targets
from dateline.bake.services import pages_changed

from .models import BannedAddress, Comment, CommentReport, SiteComments
from .selectors import comment_settings_for, settings_cache_key, thread_keys
from .spam import AKISMET_SPAM, akismet_check
from .text import comment_html, plain_text

logger = logging.getLogger("dateline.comments")

VERIFY_SALT = "dateline.comments.verify"

# Statuses a reader never sees; moderation moves comments between the others.
HIDDEN = {Comment.Status.UNVERIFIED, Comment.Status.PENDING, Comment.Status.REJECTED}


def _refresh_thread(comment: Comment) -> None:
    """Mark the thread and count of every page of the story on the site stale. In the
    same transaction as the change: the version bump and the new status commit
    together, so no render can store the old thread under the new version."""
    placement_ids = list(
        Placement.objects.filter(site_id=comment.site_id, story_id=comment.story_id).values_list(
            "id", flat=True
        )
    )
    keys = [key for placement_id in placement_ids for key in thread_keys(placement_id)]
    fragments_invalidate(keys)
    # The stored article pages show the thread and its count.
    targets = Targets()
    for host, path in Placement.objects.filter(id__in=placement_ids).values_list(
        "site__host", "path"
    ):
        if path:
            targets.pages[host].add(path)
    pages_changed(targets)


def _status_once_verified(site_settings: SiteComments, spam_verdict: str) -> str:
    if spam_verdict == f"akismet:{AKISMET_SPAM}":
        return Comment.Status.SPAM
    if site_settings.moderation == SiteComments.Moderation.POST and spam_verdict != "unchecked":
        return Comment.Status.APPROVED
    return Comment.Status.PENDING


@transaction.atomic
def comment_submit(
    *,
    site,
    story_id: int,
    parent: Comment | None,
    author_name: str,
    author_email: str,
    body: str,
    verified: bool,
    user=None,
    ip_address: str | None = None,
    user_agent: str = "",
    permalink: str = "",
) -> Comment:
    """Store a comment as typed, with its sanitised HTML. A verified author's comment
    goes to the queue (pre-moderation) or straight out (post-moderation); an
    unverified one waits for the e-mail link. Akismet, when configured, marks spam."""
    html = comment_html(body)
    verdict = ""
    if settings.AKISMET_API_KEY:
        answer = akismet_check(
            blog=site.base_url + "/",
            fields={
                "user_ip": ip_address or "",
                "user_agent": user_agent,
                "permalink": permalink,
                "comment_author": author_name,
                "comment_author_email": author_email,
                "comment_content": plain_text(html),
                "blog_lang": site.language,
            },
        )
        # An Akismet that did not answer is no reason to publish unchecked text.
        verdict = f"akismet:{answer}" if answer else "unchecked"
    comment = Comment(
        site=site,
        story_id=story_id,
        parent=parent,
        author_name=author_name.strip(),
        author_email=author_email.strip().lower(),
        user=user,
        body_source=body,
        body_html=html,
        ip_address=ip_address or None,
        user_agent=user_agent[:300],
        spam_verdict=verdict,
    )
    if verified:
        comment.status = _status_once_verified(comment_settings_for(site), verdict)
    if verdict == f"akismet:{AKISMET_SPAM}":
        comment.status = Comment.Status.SPAM
    if comment.status == Comment.Status.APPROVED:
        comment.published_at = timezone.now()
    comment.save()
    if comment.status == Comment.Status.APPROVED:
        _refresh_thread(comment)
    return comment


def verification_token(comment: Comment) -> str:
    return signing.dumps({"c": comment.id}, salt=VERIFY_SALT, compress=True)


def verification_comment_id(token: str) -> int | None:
    """The comment a magic link is for; None when forged or older than the limit."""
    try:
        data = signing.loads(
            token, salt=VERIFY_SALT, max_age=settings.DATELINE_COMMENTS_VERIFY_HOURS * 3600
        )
    except signing.BadSignature:  # also SignatureExpired
        return None
    return data.get("c") if isinstance(data, dict) else None


def verification_send(*, comment: Comment, verify_url: str, article_title: str) -> None:
    """E-mail the magic link after commit. A mail server that refuses is logged (by
    comment id, never the address); the comment stays and can be sent again."""
    subject = f"Confirm your comment on {comment.site.name}"
    body = render_to_string(
        "comments/verify_email.txt",
        {
            "comment": comment,
            "site": comment.site,
            "verify_url": verify_url,
            "article_title": article_title,
            "hours": settings.DATELINE_COMMENTS_VERIFY_HOURS,
        },
    )
    recipient = comment.author_email
    comment_id = comment.id

    def send():
        try:
            send_mail(subject, body, settings.DATELINE_COMMENTS_FROM_EMAIL, [recipient])
        except (smtplib.SMTPException, OSError) as error:
            # The class and SMTP code only: the message of a refusal names the address.
            code = getattr(error, "smtp_code", "")
            logger.warning(
                "Verification mail for comment %s not sent: %s %s",
                comment_id,
                type(error).__name__,
                code,
            )

    transaction.on_commit(send)


@transaction.atomic
def comment_verify(*, comment: Comment) -> Comment:
    """The author followed the magic link: the comment joins the queue or shows."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.status != Comment.Status.UNVERIFIED:
        return comment
    comment.status = _status_once_verified(comment_settings_for(comment.site), comment.spam_verdict)
    if comment.status == Comment.Status.APPROVED:
        comment.published_at = timezone.now()
    comment.save(update_fields=["status", "published_at"])
    _refresh_thread(comment)
    return comment


def _moderate(comment: Comment, status: str, by) -> Comment:
    comment.status = status
    comment.moderated_at = timezone.now()
    comment.moderated_by = by
    fields = ["status", "moderated_at", "moderated_by"]
    if status == Comment.Status.APPROVED:
        if comment.published_at is None:
            comment.published_at = comment.moderated_at
        comment.report_count = 0  # a moderator has read it; reports start again
        fields += ["published_at", "report_count"]
    comment.save(update_fields=fields)
    _refresh_thread(comment)
    return comment


@transaction.atomic
def comment_approve(*, comment: Comment, by) -> Comment:
    """Publish a comment (from the queue, or after reports were judged unfounded)."""
    return _moderate(comment, Comment.Status.APPROVED, by)


@transaction.atomic
def comment_reject(*, comment: Comment, by) -> Comment:
    """Keep a comment off the site; it stays in the admin for the record."""
    return _moderate(comment, Comment.Status.REJECTED, by)


@transaction.atomic
def comment_mark_spam(*, comment: Comment, by) -> Comment:
    return _moderate(comment, Comment.Status.SPAM, by)


@transaction.atomic
def comment_delete(*, comment: Comment, by) -> Comment:
    """Take a comment down. Its replies stay, under a "removed" placeholder."""
    return _moderate(comment, Comment.Status.DELETED, by)


@transaction.atomic
def address_ban(*, email: str, reason: str = "", by=None) -> BannedAddress:
    """Ban an address on every site: it cannot post, and its comments waiting for
    verification or moderation are rejected."""
    email = email.strip().lower()
    ban, _ = BannedAddress.objects.get_or_create(
        email=email, defaults={"reason": reason, "created_by": by}
    )
    Comment.objects.filter(
        author_email=email, status__in=[Comment.Status.UNVERIFIED, Comment.Status.PENDING]
    ).update(status=Comment.Status.REJECTED, moderated_at=timezone.now(), moderated_by=by)
    return ban


@transaction.atomic
def comment_report(*, comment: Comment, reason: str, note: str, reporter_key: str) -> bool:
    """Record a reader's report; False when this reader already reported it. A
    published comment with enough reports goes back to the moderation queue."""
    try:
        with transaction.atomic():
            CommentReport.objects.create(
                comment=comment, reason=reason, note=note[:500], reporter_key=reporter_key
            )
    except IntegrityError:
        return False
    Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
    comment.refresh_from_db(fields=["report_count", "status"])
    threshold = comment_settings_for(comment.site).hide_after_reports
    if (
        comment.status == Comment.Status.APPROVED
        and threshold
        and comment.report_count >= threshold
    ):
        Comment.objects.filter(pk=comment.pk).update(status=Comment.Status.PENDING)
        _refresh_thread(comment)
    return True


@transaction.atomic
def site_comments_save(*, site_comments: SiteComments) -> SiteComments:
    """Save a site's comment settings; its pages follow them at once."""
    site_comments.save()
    key = settings_cache_key(site_comments.site_id)
    transaction.on_commit(lambda: cache.delete(key))
    pages_changed(site_targets(site_comments.site.host))  # every article page
    return site_comments


@transaction.atomic
def comments_forget_old(*, now=None) -> dict[str, int]:
    """Privacy housekeeping: delete comments never confirmed within a week of their
    link's expiry, and forget the IP address and browser of comments older than
    DATELINE_COMMENTS_KEEP_IP_DAYS (kept that long for abuse reports only)."""
    now = now or timezone.now()
    unconfirmed_before = now - timedelta(hours=settings.DATELINE_COMMENTS_VERIFY_HOURS, days=7)
    deleted, _ = Comment.objects.filter(
        status=Comment.Status.UNVERIFIED, created_at__lt=unconfirmed_before
    ).delete()
    forgotten = (
        Comment.objects.filter(
            created_at__lt=now - timedelta(days=settings.DATELINE_COMMENTS_KEEP_IP_DAYS)
        )
        .exclude(ip_address__isnull=True, user_agent="")
        .update(ip_address=None, user_agent="")
    )
    return {"unconfirmed_deleted": deleted, "addresses_forgotten": forgotten}
