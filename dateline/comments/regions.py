"""The comments, comment-count and share regions of the article page, called from
its template (registered as Jinja globals). They read per request: nothing here
goes into a cached fragment."""

from django.template.loader import render_to_string

from dateline.articles.fragments import fragments_fresh, fragments_get

from .models import Comment, SiteComments
from .selectors import article_thread, comment_settings_for, count_published, thread_keys
from .share import share_links

# What a page with the Disqus embed must allow, on top of the site's policy
# (Disqus's embed loads its script, frames, images and styles from these hosts).
DISQUS_CSP = {
    "script-src": ["https://{shortname}.disqus.com", "https://c.disquscdn.com"],
    "frame-src": ["https://disqus.com"],
    "img-src": ["https://c.disquscdn.com", "https://referrer.disqus.com"],
    "style-src": ["https://c.disquscdn.com"],
    "connect-src": ["https://links.services.disqus.com"],
}


def _settings(request, site) -> SiteComments:
    cached = getattr(request, "_dateline_comment_settings", None)
    if cached is None or cached.site_id != site.id:
        cached = comment_settings_for(site)
        request._dateline_comment_settings = cached
    return cached


def comments_region(request, site, story) -> dict:
    """What the comments region shows: the thread and the form link, the Disqus
    embed (and its CSP allowances for this response only), or nothing."""
    site_settings = _settings(request, site)
    if site_settings.mode == SiteComments.Mode.OFF:
        return {"mode": "off"}
    if site_settings.mode == SiteComments.Mode.DISQUS:
        shortname = site_settings.disqus_shortname
        request._dateline_extra_csp = {
            directive: [source.format(shortname=shortname) for source in sources]
            for directive, sources in DISQUS_CSP.items()
        }
        return {"mode": "disqus", "shortname": shortname}
    thread_html, count = _thread(request, site, story)
    return {
        "mode": "builtin",
        "thread_html": thread_html,
        "count": count,
        "write_url": f"/comments/{story.placement_id}/write/",
        "pre_moderated": site_settings.moderation == SiteComments.Moderation.PRE,
    }


def comment_count(request, site, story) -> int | None:
    """Published comments on the article (None where the site has no built-in comments)."""
    if _settings(request, site).mode != SiteComments.Mode.BUILTIN:
        return None
    return _thread(request, site, story)[1]


def _thread(request, site, story) -> tuple[str, int]:
    """The thread's HTML and its count of published comments, from the fragment store
    (one query when fresh); the comment services mark them stale after a change."""
    cache_attr = f"_dateline_comment_thread_{story.placement_id}"
    if not hasattr(request, cache_attr):
        thread_key, count_key = thread_keys(story.placement_id)
        rendered = {}

        def render_thread():
            thread = article_thread(site=site, story_id=story.story_id)
            rendered["count"] = count_published(thread)
            return _thread_html(site, story.placement_id, thread)

        def render_count():
            if "count" not in rendered:
                thread = article_thread(site=site, story_id=story.story_id)
                rendered["count"] = count_published(thread)
            return str(rendered["count"])

        html = fragments_get({thread_key: render_thread, count_key: render_count})
        setattr(request, cache_attr, (html[thread_key], int(html[count_key])))
    return getattr(request, cache_attr)


def _thread_html(site, placement_id: int, thread) -> str:
    return render_to_string(
        "comments/thread.html",
        {"top_level": thread, "site": site, "write_url": f"/comments/{placement_id}/write/"},
    )


def threads_prefill(request, site, articles) -> None:
    """Read the comment threads of many articles at once into ``request`` (the baker
    renders thousands of pages): stored fresh threads in one query, and every article
    without any comment as the empty thread. The rest are left to ``_thread``."""
    if _settings(request, site).mode != SiteComments.Mode.BUILTIN or not articles:
        return
    keys = {}
    for article in articles:
        for key in thread_keys(article.placement_id):
            keys[key] = article
    stored = fragments_fresh(list(keys))
    commented = set(
        Comment.objects.filter(site=site, story_id__in={a.story_id for a in articles})
        .exclude(status=Comment.Status.UNVERIFIED)
        .values_list("story_id", flat=True)
    )
    for article in articles:
        thread_key, count_key = thread_keys(article.placement_id)
        if thread_key in stored and count_key in stored:
            found = (stored[thread_key], int(stored[count_key]))
        elif article.story_id not in commented:
            found = (_thread_html(site, article.placement_id, []), 0)
        else:
            continue
        setattr(request, f"_dateline_comment_thread_{article.placement_id}", found)


def share_region(canonical_url: str, title: str):
    """The share links of an article (plain links, see share.py)."""
    return share_links(url=canonical_url, title=title)
