"""dateline bake: write every public page, feed and sitemap of the network into the
page store, one folder per site, for nginx or a CDN to serve as it is."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from dateline.bake import nginx
from dateline.bake.baking import BakeError, bake_site, site_paths
from dateline.bake.store import PageStore, default_store
from dateline.network.models import Site


class Command(BaseCommand):
    help = (
        "Bake every public page, feed and sitemap into the page store (DATELINE_PAGE_DIR, "
        "or --out), one folder per site; --nginx-conf writes the nginx configuration."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", help="folder to bake into (default: DATELINE_PAGE_DIR)")
        parser.add_argument("--site", action="append", default=[], help="host of one site")
        parser.add_argument("--nginx-conf", help="write the nginx configuration to this file")
        parser.add_argument("--listen", default="80", help="nginx listen address (default 80)")
        parser.add_argument("--upstream", default="", help="Django's address, e.g. 127.0.0.1:8000")
        parser.add_argument(
            "--internal",
            default="unix:/run/dateline-nginx.sock",
            help="address of nginx's internal SSI server (default unix:/run/dateline-nginx.sock)",
        )
        parser.add_argument(
            "--cache-dir",
            default="/var/cache/nginx/dateline",
            help="nginx's micro-cache of assembled pages (default /var/cache/nginx/dateline)",
        )
        parser.add_argument(
            "--no-default-server",
            action="store_true",
            help="leave out the default servers that refuse unknown host names (when another "
            "configuration already has a default_server on the same address)",
        )
        parser.add_argument("--no-pages", action="store_true", help="only write the config")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help="processes rendering article pages (default 1; the cores to give it)",
        )

    def handle(
        self,
        *args,
        out,
        site,
        nginx_conf: str,
        listen,
        upstream,
        internal,
        cache_dir,
        no_pages,
        quiet,
        processes,
        **opts,
    ):
        store = PageStore(Path(out)) if out else default_store()
        if store is None:
            raise CommandError("Set DATELINE_PAGE_DIR or give --out: the folder to bake into.")
        sites = list(Site.objects.select_related("network").order_by("order", "name"))
        if site:
            sites = [s for s in sites if s.host in set(site)]
            missing = set(site) - {s.host for s in sites}
            if missing:
                raise CommandError(f"No site at {', '.join(sorted(missing))}.")
        if not no_pages:
            self._bake(store, sites, quiet=quiet, processes=max(1, processes))
        if nginx_conf:
            text = nginx.nginx_conf(
                store, sites, listen=listen, upstream=upstream, internal=internal,
                cache_dir=cache_dir, default_server=not opts["no_default_server"],
            )  # fmt: skip
            Path(nginx_conf).write_text(text)
            self.stdout.write(f"nginx configuration written to {nginx_conf}")

    def _bake(self, store, sites, *, quiet, processes):
        paths = {s.host: site_paths(s) for s in sites}
        total = sum(len(p) for p in paths.values())
        written = 0
        # No monitor thread: bake_site forks processes, which must not inherit a thread.
        tqdm.monitor_interval = 0
        with tqdm(total=total, unit="page", disable=quiet, file=self.stderr) as bar:
            for s in sites:
                bar.set_description(s.host)
                try:
                    written += len(
                        bake_site(
                            s,
                            store=store,
                            paths=paths[s.host],
                            progress=bar.update,
                            processes=processes,
                        )
                    )
                except BakeError as error:
                    raise CommandError(str(error)) from error
        self.stdout.write(
            f"baked {total} pages of {len(sites)} sites into {store.root} ({written} files changed)"
        )
