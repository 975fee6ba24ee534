from urllib.parse import parse_qs, urlsplit

HOST = {"host": "spacewar.localhost"}


class ShareLinkTests:
    def test_plain_links_to_each_network(self, article, fetch):
        """The article shares its canonical URL by plain links; the only script is our own file."""
        page = fetch(article.path).content.decode()
        region = page[page.index('class="share"') :]
        region = region[: region.index("</section>")]
        canonical = "http://spacewar.localhost" + article.path
        for start in [
            "https://www.reddit.com/submit?",
            "https://x.com/intent/post?",
            "https://www.facebook.com/sharer/sharer.php?",
            "https://www.linkedin.com/sharing/share-offsite/?",
            "https://bsky.app/intent/compose?",
            "/share/mastodon/?",
            "mailto:?subject=",
        ]:
            assert f'href="{start}' in region, start
        assert f'href="{canonical}"' in region  # copy link
        scripts = [part.split('"')[0] for part in page.split('<script src="')[1:]]
        assert all(src.startswith("/static/") for src in scripts), scripts
        assert "<iframe" not in page

    def test_mastodon_asks_for_the_server(self, article, client):
        """The Mastodon link asks for the reader's server, then sends them to its share page."""
        url = "http://spacewar.localhost" + article.path
        form = client.get("/share/mastodon/", {"url": url, "text": "Headline"}, headers=HOST)
        assert form.status_code == 200 and "Your Mastodon server" in form.content.decode()
        response = client.get(
            "/share/mastodon/",
            {"url": url, "text": "Headline", "instance": "https://Mastodon.Example/"},
            headers=HOST,
        )
        assert response.status_code == 302
        target = urlsplit(response["Location"])
        assert (target.scheme, target.netloc, target.path) == (
            "https",
            "mastodon.example",
            "/share",
        )
        assert parse_qs(target.query)["text"] == [f"Headline {url}"]
        handle = client.get(
            "/share/mastodon/", {"url": url, "instance": "@ada@social.example"}, headers=HOST
        )
        assert urlsplit(handle["Location"]).netloc == "social.example"

    def test_mastodon_refuses_bad_input(self, article, client):
        """Other sites' URLs and malformed servers are refused with a clear 400."""
        url = "http://spacewar.localhost" + article.path
        for params in [
            {"url": "https://evil.example/", "instance": "mastodon.social"},
            {"url": "javascript:alert(1)", "instance": "mastodon.social"},
        ]:
            response = client.get("/share/mastodon/", params, headers=HOST)
            assert response.status_code == 400
            assert "Only articles of this network" in response.content.decode()
        for instance in ["evil.example/path", "a b.example", "localhost", "x.example?y=z"]:
            response = client.get(
                "/share/mastodon/", {"url": url, "instance": instance}, headers=HOST
            )
            assert response.status_code == 400, instance
