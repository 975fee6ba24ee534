from django.urls import path

from . import feeds, sitemaps

urlpatterns = [
    path("robots.txt", sitemaps.robots, name="robots"),
    path("sitemap.xml", sitemaps.index, name="sitemap-index"),
    path("sitemap-news.xml", sitemaps.news, name="sitemap-news"),
    path("sitemap-<str:section>.xml", sitemaps.section, name="sitemap-section"),
    path("feeds/rss/", feeds.SiteFeed(), name="feed-rss"),
    path("feeds/atom/", feeds.SiteAtomFeed(), name="feed-atom"),
    path("feeds/network/rss/", feeds.NetworkFeed(), name="feed-network-rss"),
    path("feeds/network/atom/", feeds.NetworkAtomFeed(), name="feed-network-atom"),
    path("feeds/<slug:section_slug>/rss/", feeds.SiteFeed(), name="feed-section-rss"),
    path("feeds/<slug:section_slug>/atom/", feeds.SiteAtomFeed(), name="feed-section-atom"),
]
