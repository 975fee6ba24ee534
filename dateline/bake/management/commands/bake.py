"""dateline bake: write every public page, feed and sitemap of the network into the
page store, one folder per site, for nginx or a CDN to serve as it is."""

import logging
from pathlib import Path

from django.conf import settings
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
            if not settings.DATELINE_BAKE:
                self.stderr.write(
                    "Warning: DATELINE_BAKE is not set. Without it a publish purges the store "
                    "instead of re-baking it, and nginx serves the pages it touched with empty "
                    "regions and stale links until the next bake. Set DATELINE_BAKE=1 for every "
                    "process that serves this store (docs/deploy.md)."
                )

    def _bake(self, store, sites, *, quiet, processes):
        paths = {s.host: site_paths(s) for s in sites}
        total = sum(len(p) for p in paths.values())
        # One request-log line per page would bury the progress bar: the bake's renders are
        # logged only when they go wrong.
        request_log = logging.getLogger("dateline.request")
        level = request_log.level
        request_log.setLevel(max(level, logging.WARNING))
        try:
            written = self._bake_sites(store, sites, paths, total, quiet=quiet, processes=processes)
        finally:
            request_log.setLevel(level)
        plural = "" if len(sites) == 1 else "s"
        self.stdout.write(
            f"baked {total} pages of {len(sites)} site{plural} into {store.root} "
            f"({written} files changed)"
        )

    def _bake_sites(self, store, sites, paths, total, *, quiet, processes) -> int:
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
        return written
