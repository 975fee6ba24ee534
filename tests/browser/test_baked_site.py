"""The static bake as a reader's browser gets it: nginx with the shipped configuration,
headless Chromium."""

import pytest
from django.core.management import call_command

from dateline.articles import services
from tests.bake.conftest import nginx, store  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_baked_article_in_chromium(publish, store, nginx, browser, artifacts):  # noqa: F811
    """A baked article served by nginx shows every region with its fragments filled, breaks
    no rule of the content security policy, and a withdrawn story answers 410."""
    from dateline.promotions.models import Promotion
    from dateline.promotions.services import promotion_save

    promotion_save(
        promotion=Promotion(name="House", slot="sidebar", headline="Read our energy site",
                            url="https://energydaily.example/"),
        sites=[],
    )  # fmt: skip
    publish("An older missile story", section="missiles", hours_ago=5)
    story = publish("Forces retake the town", hours_ago=2)
    gone = publish("A story to withdraw", hours_ago=1)
    services.story_withdraw(story=gone, notice="Withdrawn at the agency's request.")
    call_command("bake", "--quiet")
    client = nginx()
    port = client.base_url.port
    page = browser.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    url = f"http://spacewar.localhost:{port}{story.placements.get().path}"
    response = page.goto(url)
    assert response.status == 200
    page.screenshot(path=str(artifacts / "baked-article.png"), full_page=True)
    text = page.inner_text("body")
    for region in ["SpaceWar", "Forces retake the town", "An older missile story",
                   "Read our energy site", "Copyright"]:  # fmt: skip
        assert region in text, region
    assert "<!--#" not in page.content()
    assert not problems, problems
    # The stylesheet applied (served from /static/ with its type).
    assert page.eval_on_selector("a.skip", "e => getComputedStyle(e).position") == "absolute"
    withdrawn = page.goto(f"http://spacewar.localhost:{port}{gone.placements.get().path}")
    assert withdrawn.status == 410
    assert "Withdrawn at the agency's request." in page.inner_text("body")
