from django.urls import path

from dateline.bake.middleware import cached_page

from . import feeds, sitemaps

urlpatterns = [
    path("robots.txt", cached_page(sitemaps.robots), name="robots"),
    path("sitemap.xml", cached_page(sitemaps.index), name="sitemap-index"),
    path("sitemap-news.xml", cached_page(sitemaps.news), name="sitemap-news"),
    path("sitemap-<str:section>.xml", cached_page(sitemaps.section), name="sitemap-section"),
    path("feeds/rss/", cached_page(feeds.SiteFeed()), name="feed-rss"),
    path("feeds/atom/", cached_page(feeds.SiteAtomFeed()), name="feed-atom"),
    path("feeds/network/rss/", cached_page(feeds.NetworkFeed()), name="feed-network-rss"),
    path("feeds/network/atom/", cached_page(feeds.NetworkAtomFeed()), name="feed-network-atom"),
    path("feeds/<slug:section_slug>/rss/", cached_page(feeds.SiteFeed()), name="feed-section-rss"),
    path(
        "feeds/<slug:section_slug>/atom/",
        cached_page(feeds.SiteAtomFeed()),
        name="feed-section-atom",
    ),
]
