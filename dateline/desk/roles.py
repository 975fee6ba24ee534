"""Staff roles as Django groups, each a set of model permissions. ``roles_sync`` runs
after every migrate, so a permission added by a new app reaches its role at once.

- editor: the desk (publish, edit, spike, schedule, pin), withdraw what they published.
- chief editor: an editor who also manages routing rules and sources, withdraws anything.
- moderator: readers' comments.
- admin: network settings, users, and readers' personal data (subscribers, supporters).
Superusers hold every permission."""

from django.db import transaction

EDITOR = [
    "desk.use_desk",
    "desk.view_deskentry",
    "articles.view_frontpin",
    "desk.view_rule",
    "desk.view_auditentry",
    "articles.view_story",
    "articles.change_story",
    "articles.add_story",
    "articles.view_placement",
    "articles.add_placement",
    "articles.change_placement",
    "articles.delete_placement",
    "articles.view_pathredirect",
    "wire.view_wireitem",
    "wire.view_delivery",
    "wire.view_source",
    "network.view_section",
    "network.view_site",
    "ops.view_dashboard",
    "support.view_appealconfig",
    "newsletters.view_newsletter",
    "newsletters.change_newsletter",
    "newsletters.view_issue",
    "newsletters.send_test_issue",
]
CHIEF_EDITOR = EDITOR + [
    "desk.withdraw_any",
    "desk.add_rule",
    "desk.change_rule",
    "desk.delete_rule",
    "wire.add_source",
    "wire.change_source",
    "wire.change_delivery",
    "network.change_section",
    "network.add_section",
    "network.add_relatedlink",
    "network.change_relatedlink",
    "network.delete_relatedlink",
    "network.view_relatedlink",
    "articles.delete_story",
    "support.add_appealconfig",
    "support.change_appealconfig",
    "support.view_contribution",
    "support.view_subscription",
    "support.view_supporter",
    "worker.view_deadletter",
    "worker.retry_deadletter",
]
MODERATOR = [
    "comments.moderate_comment",
    "comments.view_comment",
    "comments.view_commentreport",
    "comments.view_queuedcomment",
    "comments.change_queuedcomment",
    "comments.add_bannedaddress",
    "comments.view_bannedaddress",
    "comments.change_bannedaddress",
    "comments.delete_bannedaddress",
]
# Everything in these apps: network settings, users and their second factors, readers'
# personal data (subscribers, supporters, commenters), promotions, social login secrets.
ADMIN_APPS = (
    "network", "auth", "otp_totp", "axes", "newsletters", "support", "comments", "promotions",
    "socialaccount", "account", "worker", "django_tasks_db",
)  # fmt: skip

ROLES = {
    "editor": EDITOR,
    "chief editor": CHIEF_EDITOR,
    "moderator": MODERATOR,
}


def _role_permissions(name: str):
    from django.contrib.auth.models import Permission

    perms = Permission.objects.select_related("content_type")
    if name == "admin":
        wanted = set(CHIEF_EDITOR) | set(MODERATOR)
        return [
            p
            for p in perms
            if p.content_type.app_label in ADMIN_APPS
            or f"{p.content_type.app_label}.{p.codename}" in wanted
        ]
    wanted = set(ROLES[name])
    return [p for p in perms if f"{p.content_type.app_label}.{p.codename}" in wanted]


@transaction.atomic
def roles_sync(**kwargs) -> None:
    """Create the role groups and give each exactly its permissions."""
    from django.contrib.auth.models import Group

    for name in [*ROLES, "admin"]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_role_permissions(name))


def can_withdraw(user, story) -> bool:
    """Chief editors withdraw anything; an editor what they published."""
    if user.has_perm("desk.withdraw_any"):
        return True
    if not user.has_perm("desk.use_desk"):
        return False
    from .models import AuditEntry

    # The member who first published (or scheduled) it; later publishes of the same
    # story (a re-publish, a no-op) give no one else the right.
    first = (
        AuditEntry.objects.filter(story=story, action__in=("publish", "schedule"))
        .order_by("at", "id")
        .values_list("user_id", flat=True)
        .first()
    )
    return first is not None and first == user.pk
