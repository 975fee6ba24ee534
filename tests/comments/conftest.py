"""Fixtures for the comments tests: a published article, a clean cache (rate limits
and cached settings live there), and helpers to post as a reader."""

import re

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def article(publish):
    """A published story on SpaceWar; its live placement."""
    story = publish("Forces retake the last held town")
    return story.placements.get()


@pytest.fixture
def post_comment(client, django_capture_on_commit_callbacks):
    """POST the comment form of ``placement`` as a reader of spacewar.localhost
    (running what the view defers to after commit, such as the e-mail)."""

    def post(
        placement, *, name="Ada Reader", email="ada@example.org", body="Well reported.", **extra
    ):
        data = {"name": name, "email": email, "body": body, "website": "", **extra}
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/comments/{placement.id}/write/", data, headers={"host": "spacewar.localhost"}
            )

    return post


@pytest.fixture
def magic_link_path():
    """The path of the confirmation link in a verification e-mail's text."""

    def find(message_body: str) -> str:
        match = re.search(r"https?://[^/\s]+(/comments/verify/[^\s]+/)", message_body)
        assert match, message_body
        return match.group(1)

    return find
