"""Roles are enforced on every screen and command. The walks below fail when a new
URL or command is neither public by design nor guarded by a staff permission."""

import io

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.management import CommandError, call_command, get_commands
from django.urls import URLPattern, URLResolver, get_resolver

from dateline.desk.models import DeskEntry, Rule
from tests.conftest import staff_login

pytestmark = pytest.mark.django_db(transaction=True)

# Modules whose views are public pages, feeds or endpoints with their own credentials.
PUBLIC_VIEW_MODULES = {
    "dateline.articles.views",
    "dateline.syndication.views",
    "dateline.syndication.feeds",
    "dateline.syndication.sitemaps",
    "dateline.api.views",
    "dateline.search.views",
    "dateline.wire.views",  # agency pushes: per-source HMAC or token
    "dateline.comments.views",  # readers write and report comments
    "dateline.comments.accounts_urls",  # allauth's password pages, closed (404)
    "dateline.promotions.views",  # click redirects, images, ads.txt
    "dateline.support.views",  # the appeal's checkout and the providers' signed webhooks
    "dateline.newsletters.views",  # signup, confirm, preferences, one-click unsubscribe, archive
    "django.contrib.syndication.views",
    "django.contrib.sitemaps.views",
    "django.views.static",
    "django.contrib.staticfiles.views",
}
# Commands an operator runs with shell access to the machine (and its database);
# commands that act for a staff member take --user and check that member's role.
OPERATOR_COMMANDS = {
    "ingest", "loaddemo", "serve", "worker", "db_worker", "prune_db_task_results",
    "axes_list_attempts", "axes_reset", "axes_reset_failure_logs", "axes_reset_ip",
    "axes_reset_ip_username", "axes_reset_logs", "axes_reset_username", "staff",
    "account_unsetmultipleprimaryemails", "status", "backup", "restore",
    "newsletters", "mailcatcher",
}  # fmt: skip
OPERATOR_COMMANDS |= {"broker_worker", "scheduler"}  # the scale-out path's processes
OPERATOR_COMMANDS |= {"bake"}  # writes public pages only, run by the operator
# Readers' social logins (django-allauth): public by design, no staff screen there.
READER_ACCOUNT_PREFIX = "accounts/"
# E-mail services' signed tracking webhooks (django-anymail, checked by its own secret).
ANYMAIL_WEBHOOK_MODULE = "anymail.webhooks."


def walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def is_admin_view(pattern) -> bool:
    callback = pattern.callback
    admin_self = getattr(callback, "admin_site", None) or getattr(callback, "__self__", None)
    module = getattr(callback, "__module__", "")
    return module.startswith("django.contrib.admin") or admin_self is not None


class URLWalkTests:
    def test_every_url_is_public_by_design_admin_or_staff_guarded(self):
        """No view escapes classification: public module, the admin, or staff_required."""
        unguarded = []
        for route, pattern in walk(get_resolver().url_patterns):
            callback = pattern.callback
            if getattr(callback, "staff_permission", None):
                continue
            if route.startswith("admin/") or is_admin_view(pattern):
                continue
            if route.startswith(READER_ACCOUNT_PREFIX):
                continue
            module = getattr(callback, "__module__", "")
            view_class = getattr(callback, "view_class", None)
            if view_class is not None:
                module = view_class.__module__
            if module in PUBLIC_VIEW_MODULES or module.startswith(ANYMAIL_WEBHOOK_MODULE):
                continue
            unguarded.append(f"{route} ({module})")
        assert unguarded == []

    def test_staff_urls_refuse_anonymous_and_unprivileged(self, client, make_staff, network):
        """Every staff-guarded URL sends anonymous readers to the login page and answers
        403 to staff without the permission."""
        moderator = make_staff("mod", "moderator")
        guarded = [
            route for route, p in walk(get_resolver().url_patterns)
            if getattr(p.callback, "staff_permission", None)
        ]  # fmt: skip
        assert guarded, "the desk's URLs should be found"
        for route in guarded:
            url = "/" + route.replace("<int:entry_id>", "1")
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response["Location"], url
        staff_login(client, moderator)
        for route in guarded:
            url = "/" + route.replace("<int:entry_id>", "1")
            assert client.get(url).status_code in (403, 405), url

    def test_admin_needs_a_second_factor(self, client, make_staff):
        """Signed in with a password only (no TOTP), staff do not reach the admin or desk."""
        chief = make_staff("chief", "chief editor")
        client.force_login(chief)
        assert client.get("/admin/").status_code == 302
        assert client.get("/desk/").status_code == 302
        staff_login(client, chief)
        assert client.get("/admin/").status_code == 200
        assert client.get("/desk/").status_code == 200


class RoleTests:
    def test_editor_cannot_change_rules_chief_can(self, client, make_staff, sections):
        """Routing rules are the chief editor's: an editor may read them, not change them."""
        editor, chief = make_staff("ed", "editor"), make_staff("chief", "chief editor")
        staff_login(client, editor)
        assert client.get("/admin/desk/rule/add/").status_code == 403
        data = {"name": "r", "order": 1, "section": sections["drones"].pk, "daily_cap": 5,
                "is_active": "on", "keywords": "drone"}  # fmt: skip
        assert client.post("/admin/desk/rule/add/", data).status_code == 403
        assert not Rule.objects.exists()
        staff_login(client, chief)
        assert client.post("/admin/desk/rule/add/", data).status_code == 302
        assert Rule.objects.get().keywords == "drone"
        from dateline.desk.models import AuditEntry

        assert AuditEntry.objects.get(action="rule_create").user == chief

    def test_editor_withdraws_only_own_stories(self, client, make_staff, deliver, sections):
        """An editor cannot withdraw a colleague's story; a chief editor can."""
        from dateline.desk import services

        ed, other, chief = (make_staff("ed", "editor"), make_staff("other", "editor"),
                            make_staff("chief", "chief editor"))  # fmt: skip
        deliver("w")
        entry = DeskEntry.objects.get()
        services.entry_publish(entry=entry, sections=[sections["drones"]], user=other)
        staff_login(client, ed)
        assert client.post(f"/desk/item/{entry.pk}/withdraw/").status_code == 403
        staff_login(client, chief)
        assert client.post(f"/desk/item/{entry.pk}/withdraw/").status_code == 302
        entry.refresh_from_db()
        assert entry.story.status == "withdrawn"


class CommandWalkTests:
    def test_every_command_is_an_operator_command_or_checks_a_role(self):
        """A new command must declare the staff permission it needs or be an operator's."""
        from importlib import import_module

        unchecked = []
        for name, app in get_commands().items():
            if app.startswith("django.") or name in OPERATOR_COMMANDS:
                continue
            module = import_module(f"{app}.management.commands.{name}")
            if not getattr(module.Command, "staff_permissions", None):
                unchecked.append(name)
        assert unchecked == []

    def test_desk_command_checks_the_role(self, make_staff, deliver, sections):
        """`dateline desk` refuses a user without the permission and names it."""
        make_staff("mod", "moderator")
        make_staff("ed", "editor")
        deliver("c")
        with pytest.raises(CommandError, match="desk.use_desk"):
            call_command("desk", "spike", "--user", "mod", "--guid", "urn:afp.example:c")
        with pytest.raises(CommandError, match="--user"):
            call_command("desk", "spike", "--guid", "urn:afp.example:c")
        out = io.StringIO()
        call_command("desk", "publish", "--user", "ed", "--guid", "urn:afp.example:c",
                     "--to", "spacewar/drones", stdout=out)  # fmt: skip
        assert (
            "Published: story" in out.getvalue() and "spacewar.localhost/drones/" in out.getvalue()
        )
        with pytest.raises(CommandError, match="desk.change_rule"):
            call_command("desk", "retrain", "--user", "ed")


def test_admin_site_is_otp():
    """The admin site asks for a TOTP code (django-otp's OTPAdminSite)."""
    from django_otp.admin import OTPAdminSite

    assert isinstance(admin_site, OTPAdminSite)
