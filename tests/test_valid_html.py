"""Every kind of page we serve is valid HTML by the W3C's Nu Html Checker (vnu.jar).

The demo network is loaded, its public pages are crawled from each home page (links
followed on the same host, a few pages of each kind) and joined by the pages no link
reaches (a search without results, a 404, a withdrawn story's 410, the comment form, the
desk). Each page is fetched whole, as a reader gets it: the page cache's fragments
assembled. vnu.jar comes from npm's vnu-jar (scripts/test-deps installs it into
var/tools/); without it or Java the test is skipped with the reason, except under
CI=true, where .ci/run installs both.
"""

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from lxml import html

from tests.conftest import staff_login

ROOT = Path(__file__).resolve().parent.parent
VNU = Path(
    os.environ.get("DATELINE_VNU_JAR", ROOT / "var/tools/node_modules/vnu-jar/build/dist/vnu.jar")
)
HOSTS = ("spacewar.localhost", "spacedaily.localhost")
PER_KIND = 3  # pages of one kind (articles, section fronts, archive months...) per site


@pytest.fixture(scope="module")
def vnu():
    java = shutil.which("java")
    reason = None
    if java is None:
        reason = "no Java runtime (apt-get install default-jre-headless)"
    elif not VNU.is_file():
        reason = f"no Nu Html Checker at {VNU} (scripts/test-deps installs it)"
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}: required under CI=true")
        pytest.skip(reason)
    return [java, "-Xss8m", "-jar", str(VNU)]


def _kind(path: str) -> str:
    """Pages whose markup comes from one template share a kind: an article, a section
    front, a month of the archive, a comment form..."""
    from dateline.network.models import Section

    path = urlsplit(path).path
    if re.fullmatch(r"/[\w-]+/\d{4}/\d\d/\d\d/[\w-]+/", path):
        return "article"
    if re.fullmatch(r"/[\w-]+/", path) and Section.objects.filter(slug=path[1:-1]).exists():
        return "section"
    return re.sub(r"\d+", "N", path)


def crawl(client, host: str) -> dict[str, bytes]:
    """The site's HTML pages reachable from its home page, PER_KIND of each kind."""
    pages, queue, seen, kinds = {}, ["/"], {"/"}, Counter()
    while queue:
        path = queue.pop(0)
        response = client.get(path, headers={"host": host}, secure=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages[path] = response.content
        for href in html.fromstring(response.content).xpath("//a/@href"):
            link = urlsplit(urljoin(f"https://{host}{path}", href))
            target = link.path + (f"?{link.query}" if link.query else "")
            if (
                link.netloc != host
                or target in seen
                or link.path.startswith(("/admin/", "/feeds/", "/promo/"))
            ):
                continue
            seen.add(target)
            if kinds[_kind(target)] < PER_KIND and not link.path.endswith((".xml", ".txt")):
                kinds[_kind(target)] += 1
                queue.append(target)
    return pages


def validate(vnu, pages: dict[str, bytes], folder: Path) -> list[str]:
    """vnu's errors and warnings, as 'page:line: message'."""
    files = {}
    for number, (name, body) in enumerate(sorted(pages.items())):
        file = folder / f"{number:03d}.html"
        file.write_bytes(body)
        files[file.name] = name
    result = subprocess.run(
        [*vnu, "--format", "json", "--exit-zero-always", *map(str, sorted(folder.glob("*.html")))],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [
        f"{files.get(Path(m.get('url', '')).name, m.get('url'))}:{m.get('lastLine', '?')}: "
        f"{m['type']}/{m.get('subType', '')} {m['message']} [{m.get('extract', '').strip()}]"
        for m in messages
    ]


@pytest.mark.django_db
def test_every_kind_of_page_is_valid_html(client, vnu, tmp_path, django_user_model):
    """The public pages of two demo sites, their error pages and the desk: no error and
    no warning from the Nu Html Checker."""
    from dateline.articles.models import Placement, Story
    from dateline.articles.services import story_withdraw
    from dateline.desk.models import DeskEntry

    call_command("loaddemo", stories=60, verbosity=0)
    pages = {}
    for host in HOSTS:
        pages.update({f"{host}{path}": body for path, body in crawl(client, host).items()})
    kinds = Counter(_kind(name.split(".localhost", 1)[1]) for name in pages)
    for kind in ("article", "section", "/", "/privacy/", "/archive/", "/archive/N/N/"):
        assert kinds[kind] >= 2, (kind, kinds)
    for kind in ("/newsletters/", "/comments/N/write/", "/share/mastodon/"):
        assert kinds[kind] >= 1, (kind, kinds)

    host = HOSTS[0]
    placement = Placement.objects.filter(site__host=host, story__status="published").first()
    withdrawn = Placement.objects.filter(site__host=host, story__status="published").last()
    story_withdraw(story=Story.objects.get(id=withdrawn.story_id), notice="Withdrawn by AFP.")
    extra = {
        "search, no results": ("/search/?q=zzzqqq", 200),
        "search with filters": ("/search/?q=space+-rocket&section=missiles", 200),
        "not found": ("/no/such/page/", 404),
        "withdrawn story": (withdrawn.path, 410),
        "comment form": (f"/comments/{placement.id}/write/", 200),
        "newsletter archive": ("/newsletters/archive/", 200),
        "support page (no provider in the demo)": ("/support/", 200),
    }
    for name, (path, status) in extra.items():
        response = client.get(path, headers={"host": host}, secure=True)
        assert response.status_code == status, (name, response.status_code)
        pages[f"{host}{path} ({name})"] = response.content

    editor = django_user_model.objects.get(username="editor")
    staff_login(client, editor)
    entry = DeskEntry.objects.first()
    for path in ("/desk/", f"/desk/item/{entry.id}/"):
        response = client.get(path, headers={"host": host}, secure=True)
        assert response.status_code == 200, path
        pages[f"{host}{path} (desk)"] = response.content

    problems = validate(vnu, pages, tmp_path)
    assert not problems, "\n".join(problems)
