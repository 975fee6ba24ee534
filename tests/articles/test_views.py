import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dateline.articles import services
from dateline.articles.models import Story

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


class ArticlePageTests:
    def test_regions_in_reference_order(self, publish, fetch, sections):
        """The article page shows the brief's regions 1-7, 11 and 13 in reading order."""
        publish("Older story in the section", hours_ago=30, teaser="What came before.")
        publish("A missile story", section="missiles", hours_ago=2)
        story = publish(
            "Forces retake the last town",
            body=(
                "<p>The army on Friday retook the town.</p><h2>'Days now numbered'</h2>"
                "<p>Officials said more was to come.</p>"
            ),
            signoff="burs/srm/del",
            hours_ago=1,
        )
        response = fetch(story.placements.get().path)
        assert response.status_code == 200
        text = text_of(response.content.decode())
        local = story.published_at
        expected_dateline = f"Baghdad (AFP) {local:%b %d, %Y}"
        regions = [
            "SpaceWar",  # masthead
            ". Military Space News .",  # tagline
            "Iraq Wars",  # section label
            "Forces retake the last town",  # headline
            "By Jane Reporter",  # byline
            expected_dateline,  # dateline
            "The army on Friday retook the town.",  # body
            "'Days now numbered'",  # the agency's subhead
            "burs/srm/del",  # sign-off
            "Older story in the section",  # previous story in the section
            "What came before. ... read more",
            "Related Links",
            "Background on the campaign",
            "Missiles",  # a sibling section's headline block
            "A missile story",
            "Test Media Network",  # footer
            "SpaceDaily",
            "Copyright 2001-",
            "AFP stories are copyright Agence France-Presse.",
            "Privacy Statement",
        ]
        position = 0
        for region in regions:
            found = text.find(region, position)
            assert found >= 0, f"{region!r} missing or out of order after position {position}"
            position = found + len(region)

    def test_subhead_is_a_heading(self, publish, fetch):
        """The agency's inline subhead is an <h2> inside the body, not a paragraph."""
        story = publish("Subhead story", body="<p>One.</p><h2>'A turning point'</h2><p>Two.</p>")
        html = fetch(story.placements.get().path).content.decode()
        assert "<h2>'A turning point'</h2>" in html

    def test_sibling_blocks_show_four_latest_headlines(self, publish, fetch):
        """Each sibling section's block lists its four latest headlines, newest first."""
        for i in range(6):
            publish(f"Drone story number {i}", section="drones", hours_ago=10 - i)
        story = publish("Main story")
        html = fetch(story.placements.get().path).content.decode()
        block = html[html.index('id="block-drones"') :]
        block = block[: block.index("</section>")]
        titles = re.findall(r"Drone story number (\d)", block)
        assert titles == ["5", "4", "3", "2"]
        assert 'id="block-iraq-wars"' not in html  # the story's own section is not a sibling

    def test_withdrawn_story_answers_410(self, publish, fetch):
        """A withdrawn article answers 410 Gone with a short notice, not its text."""
        story = publish("Story to withdraw", body="<p>Secret original text.</p>")
        path = story.placements.get().path
        services.story_withdraw(story=story, notice="Withdrawn at the agency's request.")
        response = fetch(path)
        assert response.status_code == 410
        body = response.content.decode()
        assert "Withdrawn at the agency&#39;s request." in body or "agency's request" in body
        assert "Secret original text" not in body

    def test_draft_and_scheduled_are_not_public(self, publish, fetch, agencies, sections):
        """Drafts and stories scheduled for later answer 404 and stay off the fronts."""
        draft = services.story_create(
            headline="Draft story",
            agency=agencies["AFP"],
            body="<p>x</p>",
            sections=[sections["iraq-wars"]],
        )
        scheduled = services.story_create(
            headline="Scheduled story",
            agency=agencies["AFP"],
            body="<p>y</p>",
            sections=[sections["iraq-wars"]],
        )
        services.story_schedule(story=scheduled, publish_at=timezone.now() + timedelta(hours=3))
        for story in (draft, scheduled):
            assert fetch(story.placements.get().path).status_code == 404
        front = fetch("/iraq-wars/").content.decode()
        assert "Draft story" not in front and "Scheduled story" not in front

    def test_changed_slug_redirects_permanently(self, publish, fetch):
        """After a slug change the old URL answers 301 to the new one."""
        story = publish("Original headline here")
        placement = story.placements.get()
        old_path = placement.path
        services.placement_move(placement=placement, slug="better-headline")
        placement.refresh_from_db()
        assert placement.path != old_path and placement.path.endswith("/better-headline/")
        response = fetch(old_path)
        assert response.status_code == 301
        assert response.headers["Location"] == placement.path
        assert fetch(placement.path).status_code == 200

    def test_moved_section_redirects_permanently(self, publish, fetch, sections):
        """Moving a story to another section keeps its old URL answering with a 301."""
        story = publish("Story in the wrong section")
        placement = story.placements.get()
        old_path = placement.path
        services.placement_move(placement=placement, section=sections["missiles"])
        placement.refresh_from_db()
        assert placement.path.startswith("/missiles/")
        response = fetch(old_path)
        assert response.status_code == 301 and response.headers["Location"] == placement.path

    def test_story_on_two_sites_names_one_canonical_url(self, publish, fetch):
        """A story placed on two sites answers on both; both name the canonical URL."""
        story = publish("Satellite launched for the army", extra_sections=["satellites"])
        war, space = story.placements.order_by("id")
        assert war.is_canonical and not space.is_canonical
        canonical = f'<link rel="canonical" href="http://spacewar.localhost{war.path}">'
        assert canonical in fetch(war.path).content.decode()
        other = fetch(space.path, host="spacedaily.localhost")
        assert other.status_code == 200
        assert canonical in other.content.decode()

    def test_body_is_sanitised(self, publish, fetch):
        """Scripts, event handlers and javascript: links never reach the page."""
        story = publish(
            "Hostile body",
            body=(
                '<p onclick="steal()">Text<script>alert(1)</script></p>'
                '<p><a href="javascript:alert(2)">link</a><img src=x onerror=alert(3)></p>'
            ),
        )
        html = fetch(story.placements.get().path).content.decode()
        assert "<script>alert(1)" not in html
        assert "onclick" not in html and "onerror" not in html and "javascript:" not in html

    def test_query_count_does_not_grow_with_archive(self, publish, fetch):
        """The article page costs the same number of queries with 3 or 40 stories."""

        def queries_for(path):
            fetch(path)  # warm the shared fragments
            with CaptureQueriesContext(connection) as captured:
                assert fetch(path).status_code == 200
            return len(captured)

        for i in range(3):
            publish(f"Early story {i}", hours_ago=50 + i)
        first = publish("Measured story", hours_ago=1)
        small = queries_for(first.placements.get().path)
        for i in range(37):
            publish(
                f"Later story {i}",
                section=["iraq-wars", "missiles", "drones"][i % 3],
                hours_ago=40 - i,
            )
        large = queries_for(first.placements.get().path)
        assert small == large
        assert large <= 8


class SiteByHostTests:
    def test_unknown_host_gets_no_site(self, publish, fetch):
        """An unknown host gets a plain 404 naming no site of the network."""
        story = publish("A story")
        for path in ("/", story.placements.get().path, "/iraq-wars/"):
            response = fetch(path, host="unknown.localhost")
            assert response.status_code == 404
            body = response.content.decode()
            assert "SpaceWar" not in body and "A story" not in body

    def test_story_of_another_site_is_not_found(self, publish, fetch):
        """A path of one site does not serve on another site's host."""
        story = publish("War story")
        assert fetch(story.placements.get().path, host="spacedaily.localhost").status_code == 404

    def test_host_is_case_and_port_insensitive(self, publish, fetch):
        """SPACEWAR.localhost:8000 is the same site as spacewar.localhost."""
        publish("Visible story")
        response = fetch("/", host="SpaceWar.localhost:8000")
        assert response.status_code == 200 and "Visible story" in response.content.decode()

    def test_not_found_page_in_site_style(self, fetch, sections):
        """A missing page of a known site is a 404 with the site's masthead and footer."""
        response = fetch("/no-such-section/")
        assert response.status_code == 404
        body = response.content.decode()
        assert "Page not found" in body and "SpaceWar" in body and "Privacy Statement" in body


class FrontTests:
    def test_home_lists_latest_and_a_block_per_section(self, publish, fetch):
        """Home shows the latest stories and a headline block for every section."""
        publish("Lead story", hours_ago=1)
        publish("Missile news", section="missiles", hours_ago=2)
        html = fetch("/").content.decode()
        assert html.index("Lead story") < html.index("Missile news")
        for slug in ("iraq-wars", "missiles", "drones"):
            assert f'id="block-{slug}"' in html

    def test_section_pages_do_not_shift_when_stories_arrive(self, publish, fetch, settings):
        """An older page of a front lists the same stories after new ones are published."""
        settings.DATELINE_FRONT_PAGE_SIZE = 3
        for i in range(8):
            publish(f"Story {i:02d}", hours_ago=100 - i)
        first = fetch("/iraq-wars/").content.decode()
        older_link = re.search(r'href="(/iraq-wars/\?before=[^"]+)"', first).group(1)
        page_two = text_of(fetch(older_link.replace("&amp;", "&")).content.decode())
        assert "Story 04" in page_two and "Story 02" in page_two and "Story 07" not in page_two
        publish("Breaking story", hours_ago=0.1)
        publish("Another breaking story", hours_ago=0.05)
        again = text_of(fetch(older_link.replace("&amp;", "&")).content.decode())
        assert re.findall(r"Story \d\d", again) == re.findall(r"Story \d\d", page_two)

    def test_section_pages_walk_the_whole_section(self, publish, fetch, settings):
        """Following "Older stories" visits every story of the section exactly once."""
        settings.DATELINE_FRONT_PAGE_SIZE = 4
        for i in range(11):
            publish(f"Walk {i:02d}", hours_ago=200 - i)
        seen, path = [], "/iraq-wars/"
        while path:
            html = fetch(path).content.decode()
            seen += re.findall(r">(Walk \d\d)</a></h2>", html)
            match = re.search(r'rel="next" href="([^"]+)"', html)
            path = match.group(1).replace("&amp;", "&") if match else None
        assert seen == [f"Walk {i:02d}" for i in reversed(range(11))]

    def test_bad_cursor_is_not_found(self, fetch, sections):
        """A forged or mangled cursor answers 404, not an error."""
        assert fetch("/iraq-wars/?before=garbage").status_code == 404
        assert fetch("/iraq-wars/?before=' OR 1=1 --").status_code == 404


class ArchiveTests:
    def test_day_lists_that_days_stories(self, publish, fetch):
        """The archive page of a day lists the stories published that day on the site."""
        story = publish("Archived story", hours_ago=72)
        when = story.published_at
        html = fetch(f"/archive/{when:%Y/%m/%d}/").content.decode()
        assert "Archived story" in html
        next_day = when + timedelta(days=1)
        assert "Archived story" not in fetch(f"/archive/{next_day:%Y/%m/%d}/").content.decode()

    def test_month_and_index_link_to_days(self, publish, fetch):
        """The archive index links months; a month links the days that have stories."""
        story = publish("Month story", hours_ago=5)
        when = story.published_at
        assert f"/archive/{when:%Y/%m}/" in fetch("/archive/").content.decode()
        assert f"/archive/{when:%Y/%m/%d}/" in fetch(f"/archive/{when:%Y/%m}/").content.decode()

    def test_impossible_dates_are_not_found(self, fetch, sections):
        """Dates that do not exist answer 404."""
        assert fetch("/archive/2021/02/30/").status_code == 404
        assert fetch("/archive/2021/13/").status_code == 404

    def test_days_follow_the_site_time_zone(self, publish, fetch, war_site):
        """A story filed at 23:30 UTC belongs to the next day on a Sydney site."""
        war_site.time_zone = "Australia/Sydney"
        war_site.save()
        story = publish("Late story")
        services.story_publish(story=story, published_at=datetime(2024, 3, 4, 23, 30, tzinfo=UTC))
        html = fetch("/archive/2024/03/05/").content.decode()
        assert "Late story" in html
        placement = story.placements.get()
        placement.refresh_from_db()
        assert "/2024/03/05/" in placement.path


class PrivacyTests:
    def test_privacy_page_shows_statement(self, fetch, sections):
        """Every site has the network's privacy statement at /privacy/."""
        html = fetch("/privacy/").content.decode()
        assert "We keep little." in html and "We share nothing." in html


def test_story_status_constraint(agencies):
    """The database refuses a published story without a publication time."""
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Story.objects.create(headline="x", agency=agencies["AFP"], body="", status="published")


class HostileRequestTests:
    @pytest.mark.parametrize(
        "path",
        [
            "/archive/9999/12/",
            "/archive/9999/12/31/",
            "/archive/0001/01/01/",
            "/archive/3000/01/01/",
            "/iraq-wars/?before=20250101T000000.000000Z-99999999999999999999999",
            "/iraq-wars/?before=20250101T000000.000000Z--5",
            "/iraq-wars/%00/",
            "/iraq-wars/2026/11/25/%E2%80%AE-evil/",
        ],
    )
    def test_odd_urls_are_not_found(self, fetch, sections, path):
        """Out-of-range dates, forged cursors and odd paths answer 404, never 500."""
        assert fetch(path).status_code == 404

    def test_public_pages_refuse_post(self, client, publish):
        """Public pages answer GET and HEAD only."""
        story = publish("Read only")
        response = client.post(story.placements.get().path, headers={"host": "spacewar.localhost"})
        assert response.status_code in (403, 405)
        head = client.head(story.placements.get().path, headers={"host": "spacewar.localhost"})
        assert head.status_code == 200

    def test_privacy_keeps_paragraphs_typed_in_admin(self, fetch, network, war_site):
        """A privacy statement typed with CRLF line breaks keeps its paragraphs."""
        network.privacy_statement = "First part.\r\n\r\nSecond part."
        network.save()
        html = fetch("/privacy/").content.decode()
        assert "<p>First part.</p><p>Second part.</p>" in html


class ServiceGuardTests:
    def test_future_publish_refused(self, publish):
        """A future publication time must go through scheduling."""
        story = publish("Now")
        with pytest.raises(ValueError, match="schedule"):
            services.story_publish(story=story, published_at=timezone.now() + timedelta(days=1))

    def test_slug_can_be_taken_back(self, publish, fetch):
        """Moving a placement back to a former slug gives it that URL again."""
        story = publish("Original headline here")
        placement = story.placements.get()
        original = placement.path
        services.placement_move(placement=placement, slug="interim")
        services.placement_move(placement=placement, slug="original-headline-here")
        placement.refresh_from_db()
        assert placement.path == original
        assert fetch(original).status_code == 200


class OnePlacementPerSiteTests:
    def test_story_on_two_sections_listed_once(self, publish, fetch):
        """A story placed on two sections of one site appears once on the home page."""
        publish("Twice placed story", extra_sections=["missiles"])
        html = fetch("/").content.decode()
        main = html[html.index("<main") : html.index("</main>")]
        assert main.count("Twice placed story") == 1
        assert "Twice placed story" in fetch("/missiles/").content.decode()


class RepublishTests:
    def test_unpublish_then_republish_at_new_date_redirects(self, publish, fetch):
        """A story taken back to draft and republished on another day keeps its old URL alive."""
        story = publish("Back and forth", hours_ago=72)
        old_path = story.placements.get().path
        services.story_unpublish(story=story)
        services.story_publish(story=story, published_at=timezone.now())
        new_path = story.placements.get().path
        assert new_path != old_path
        response = fetch(old_path)
        assert response.status_code == 301 and response.headers["Location"] == new_path
