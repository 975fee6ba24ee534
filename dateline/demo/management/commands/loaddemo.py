"""``dateline loaddemo``: the demo network with its stories and a demo editor login.

Running it again reuses what is there: it adds only what is missing."""

import os
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from dateline.articles.models import Story
from dateline.demo import readers, services

DEMO_USER = "editor"
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
        if not no_user and "production" not in os.environ.get("DJANGO_SETTINGS_MODULE", ""):
            user_model = get_user_model()
            if not user_model.objects.filter(username=DEMO_USER).exists():
                user_model.objects.create_superuser(DEMO_USER, "editor@example.com", DEMO_PASSWORD)
            self.stdout.write(f"Admin login: {DEMO_USER} / {DEMO_PASSWORD}")
