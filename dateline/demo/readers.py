"""The demo's reader-facing extras: house promotions on every site and a short
comment thread, so that `make demo` shows regions 9, 10 and 12 of the brief.
Written for the project; created once (a second run adds nothing)."""

from django.db import transaction

from dateline.articles.models import Placement
from dateline.comments import services as comment_services
from dateline.comments.models import Comment
from dateline.network.models import Site
from dateline.promotions import services as promotion_services
from dateline.promotions.models import AdsTxt, Promotion

PROMOTIONS = [
    (
        "sidebar",
        "Free daily newsletters",
        "Every site's headlines in your inbox each morning.",
        None,
    ),
    ("sidebar", "Write for the desk", "We read every tip and press release.", None),
    (
        "after_article",
        "No paywall, ever",
        "Readers like you keep the network free: give $5 once.",
        None,
    ),
    ("footer", "SpaceDaily", "Space industry and exploration news.", "spacedaily"),
    ("footer", "SpaceWar", "Military space and defence news.", "spacewar"),
    ("footer", "TerraDaily", "Earth science and climate news.", "terradaily"),
    ("footer", "Energy Daily", "Power, fuels and grids.", "energydaily"),
]

COMMENTS = [
    ("Maren Ostby", "A clear account of a confusing week. The map in the second paragraph helps."),
    ("Tomas Ferreira", "Is there a follow-up planned once the official figures are out?"),
]


@transaction.atomic
def demo_reader_content_create() -> None:
    sites = {site.slug: site for site in Site.objects.all()}
    if not Promotion.objects.exists():
        for slot, headline, text, site_slug in PROMOTIONS:
            target = sites.get(site_slug)
            url = target.base_url + "/" if target else "https://example.org/dateline-demo"
            promotion_services.promotion_save(
                promotion=Promotion(
                    name=f"Demo: {headline}", slot=slot, headline=headline, text=text, url=url
                ),
                sites=[],
            )
    for site in sites.values():
        AdsTxt.objects.get_or_create(
            site=site,
            defaults={
                "content": "# Demo: the network sells its own space only.\ncontact=ads@example.org\n"
            },
        )
    if Comment.objects.exists() or "spacewar" not in sites:
        return
    placement = (
        Placement.objects.filter(site=sites["spacewar"], is_live=True)
        .order_by("-published_at")
        .first()
    )
    if placement is None:
        return
    parent = None
    for name, body in COMMENTS:
        comment = comment_services.comment_submit(
            site=placement.site, story_id=placement.story_id, parent=parent, author_name=name,
            author_email=f"{name.split()[0].lower()}@example.org", body=body, verified=True,
        )  # fmt: skip
        parent = comment_services.comment_approve(comment=comment, by=None)
