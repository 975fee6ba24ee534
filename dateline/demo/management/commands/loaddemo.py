"""``dateline loaddemo``: the demo network with its stories and a demo editor login.

Running it again reuses what is there: it adds only what is missing."""

import os
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from dateline.articles.models import Story
from dateline.demo import readers, services
from dateline.desk import suggest
from dateline.desk.management.commands.staff import totp_device_reset
from dateline.desk.models import SuggestionModel
from dateline.desk.roles import roles_sync

DEMO_STAFF = [("editor", "editor"), ("chief", "chief editor"), ("moderator", "moderator"),
              ("admin", "admin")]  # fmt: skip
DEMO_PASSWORD = "dateline-demo"  # noqa: S105 - the demo's documented login, dev settings only


class Command(BaseCommand):
    help = "Load the demo network, its hand-written stories and generated ones up to --stories."

    def add_arguments(self, parser):
        parser.add_argument("--stories", type=int, default=5000, help="at least this many stories")
        parser.add_argument(
            "--days", type=int, default=60, help="spread generated stories over this many days"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-user", action="store_true", help="do not create the demo editor")

    def handle(self, *args, stories, days, seed, no_user, **options):
        services.demo_network_create()
        added = services.demo_stories_load()
        have = Story.objects.count()
        missing = max(0, stories - have)
        if missing:
            now = timezone.now()
            with tqdm(total=missing, desc="Generating stories", unit="story", disable=None) as bar:
                services.demo_stories_generate(
                    missing,
                    seed=seed + have,
                    start=now - timedelta(days=days),
                    end=now - timedelta(hours=1),
                    progress=bar.update,
                )
        readers.demo_reader_content_create()
        self.stdout.write(
            f"Demo network ready: {Story.objects.count()} stories "
            f"({added} hand-written and {missing} generated added now)."
        )
        if not SuggestionModel.objects.exists() and suggest.suggestions_retrain() is not None:
            self.stdout.write("Section suggestions learned from the published stories.")
        pooled = services.demo_wire_pool()
        if pooled:
            self.stdout.write(f"The desk's pool: {pooled} agency items delivered.")
        if not no_user and "production" not in os.environ.get("DJANGO_SETTINGS_MODULE", ""):
            self._demo_staff()

    def _demo_staff(self):
        roles_sync()
        user_model = get_user_model()
        for username, role in DEMO_STAFF:
            user = user_model.objects.filter(username=username).first()
            if user is None:
                user = user_model.objects.create_user(
                    username, f"{username}@example.com", DEMO_PASSWORD, is_staff=True,
                    is_superuser=role == "admin",
                )  # fmt: skip
                user.groups.add(Group.objects.get(name=role))
                totp_device_reset(user)
        self.stdout.write(
            "Staff logins (password "
            + DEMO_PASSWORD
            + "): "
            + ", ".join(f"{u} ({r})" for u, r in DEMO_STAFF)
        )
        self.stdout.write(
            "Second factor: `.venv/bin/dateline staff code editor` prints the current code "
            "(demo only; `dateline staff totp editor` gives a secret for an authenticator app)."
        )
