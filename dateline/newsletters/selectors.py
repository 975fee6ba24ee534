"""Queries of the newsletter pages, the admin and the privacy export."""

from datetime import date as Date

from django.db.models import Count, Q

from dateline.network.models import Site

from .models import Delivery, Issue, Subscriber


def archive_issues(site: Site, *, limit: int = 400) -> list[Issue]:
    """The site's sent issues, newest first."""
    return list(
        Issue.objects.filter(newsletter__site=site, status=Issue.Status.SENT).order_by("-date")[
            :limit
        ]
    )


def archive_issue(site: Site, day: Date) -> Issue | None:
    return Issue.objects.filter(newsletter__site=site, date=day, status=Issue.Status.SENT).first()


def issue_counts(queryset):
    """Issues annotated with their delivery counts and the unsubscribes they caused."""
    return queryset.annotate(
        sent_count=Count("deliveries", filter=Q(deliveries__state=Delivery.State.SENT)),
        failed_count=Count("deliveries", filter=Q(deliveries__state=Delivery.State.FAILED)),
        uncertain_count=Count("deliveries", filter=Q(deliveries__state=Delivery.State.UNCERTAIN)),
        pending_count=Count("deliveries", filter=Q(deliveries__state=Delivery.State.PENDING)),
        bounced_count=Count("deliveries", filter=Q(deliveries__bounced_at__isnull=False)),
        unsubscribed_count=Count("unsubscriptions", distinct=True),
    )


def subscriber_export(subscriber: Subscriber) -> dict:
    """Everything kept about one subscriber (GDPR art. 15 and 20), as JSON-ready data."""

    def when(value):
        return value.isoformat() if value else None

    return {
        "email": subscriber.email,
        "created_at": when(subscriber.created_at),
        "suppressed": subscriber.suppressed or None,
        "suppressed_at": when(subscriber.suppressed_at),
        "subscriptions": [
            {
                "newsletter": s.newsletter.site.name,
                "site": s.newsletter.site.host,
                "status": s.status,
                "requested_at": when(s.requested_at),
                "requested_from": s.requested_from,
                "confirmed_at": when(s.confirmed_at),
                "confirmed_from": s.confirmed_from,
                "unsubscribed_at": when(s.unsubscribed_at),
            }
            for s in subscriber.subscriptions.select_related("newsletter__site").order_by("id")
        ],
        "deliveries": [
            {
                "issue": f"{d.issue.newsletter.site.name} {d.issue.date.isoformat()}",
                "state": d.state,
                "at": when(d.updated_at),
                "bounced_at": when(d.bounced_at),
            }
            for d in subscriber.deliveries.select_related("issue__newsletter__site").order_by("id")
        ],
    }
