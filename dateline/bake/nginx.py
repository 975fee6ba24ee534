"""The nginx configuration that serves the page store (docs/deploy.md, "Static bake").

Two server blocks per site:

- the **public** one (``--listen``) draws a promotion variant for the request and answers
  from a one-second micro-cache of assembled pages (``proxy_cache``, a file served with
  sendfile), falling through to
- the **internal** one (``--internal``, a unix socket by default): the site's baked folder
  as root, SSI for the shared fragments, 410 for withdrawn stories (their baked page from
  ``_gone/``), the baked 404 page, the same security headers Django sends, and what is not
  baked (search, forms, the API, the desk, the admin) passed to Django (``--upstream``).

SSI assembles a page from its shell and its fragments on every request it serves, which
costs several times a plain file (no sendfile, a subrequest per fragment); the micro-cache
does it at most once a second per page and draw, so a burst on one story is served at
close to the speed of a static file, and a re-bake is seen within the second.
"""

from pathlib import Path

from django.conf import settings

from . import regions
from .store import PageStore

_HTTP = """\
# Written by `dateline bake --nginx-conf`; include it in nginx's http block.
# The promotion draw of each request (the baked fragments promotions/<slot>.<n>.html),
# made at the public server and passed to the internal one, whose SSI includes use it.
split_clients "${{request_id}}" $dateline_draw {{
{splits}
}}
map $http_x_dateline_variant $dateline_variant {{
    default 0;
{variants}
}}
# Assembled pages, kept {microcache}s (the internal server marks what may be kept).
proxy_cache_path {cache_dir} levels=1:2 keys_zone=dateline_pages:20m max_size=2g
                 inactive=10m use_temp_path=off;
upstream dateline_ssi {{
    server {internal};
    keepalive 64;
}}
{upstream}"""

_DEFAULTS = """\
# A host name that is no site of the network gets no page (nginx closes the connection),
# as Django's ALLOWED_HOSTS would refuse it.
server {{
    listen {listen} default_server;
    server_name _;
    return 444;
}}
server {{
    listen {internal} default_server;
    server_name _;
    return 444;
}}
"""

_FRONT = """\
server {{
    listen {listen};
    server_name {host};
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types {{
{types}
    }}
    # Compressed only for clients that ask (Accept-Encoding: gzip).
    gzip on;
    gzip_vary on;
    gzip_min_length 512;
    gzip_types application/rss+xml application/atom+xml application/xml text/plain text/css
               text/javascript application/json image/svg+xml;
    location / {{
        proxy_pass http://dateline_ssi;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Dateline-Variant $dateline_draw;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_cache dateline_pages;
        proxy_cache_key $host$request_uri$dateline_draw;
        proxy_cache_lock on;
        proxy_cache_use_stale updating;
    }}
{static}}}
"""

_TYPES = """\
        text/html html;
        application/rss+xml rss;
        application/atom+xml atom;
        application/xml xml;
        text/plain txt;
        text/css css;
        text/javascript js;
        application/json json;
        image/svg+xml svg;
        image/png png;
        image/jpeg jpg jpeg;
        image/webp webp;
        image/gif gif;
        image/x-icon ico;
        font/woff2 woff2;"""

_SERVER = """\
server {{
    listen {internal};
    server_name {host};
    root {root};
    charset utf-8;
    charset_types application/rss+xml application/atom+xml application/xml text/plain;
    types {{
{types}
    }}
    default_type application/octet-stream;
    ssi on;
    # A page is its shell plus SSI subrequests for fragment files: keep their descriptors
    # open rather than open() and stat() each file every time. A re-bake replaces files
    # by rename; nginx sees the new file within the second.
    open_file_cache max=20000 inactive=60s;
    open_file_cache_valid 1s;
    open_file_cache_min_uses 1;
    open_file_cache_errors on;
    # What is baked may be kept by the public server's micro-cache.
    add_header X-Accel-Expires {microcache} always;
{headers}
    location / {{
        # A page's file directly (not via the index module's internal redirect).
        try_files $uri ${{uri}}index.html ${{uri}}index.rss ${{uri}}index.atom @dynamic;
    }}
    location @dynamic {{
        # A withdrawn or taken-down story: 410, with its baked notice page.
        if (-f $document_root/_gone${{uri}}index.html) {{
            return 410;
        }}
{dynamic}
    }}
    error_page 410 /_gone${{uri}}index.html;
    error_page 404 /_errors/404.html;
    location /_gone/ {{ internal; }}
    location /_errors/ {{ internal; }}
    location /_fragments/ {{
        internal;
        # A fragment that is not there (a re-bake under way, a store purged without one)
        # is an empty region, never the 404 page: its own includes would recurse.
        try_files $uri =204;
    }}
    location /_meta/ {{ return 404; }}
}}
"""


def nginx_conf(
    store: PageStore,
    sites,
    *,
    listen: str = "80",
    upstream: str = "",
    internal: str = "unix:/run/dateline-nginx.sock",
    cache_dir: str | Path = "/var/cache/nginx/dateline",
    microcache: int = 1,
    default_server: bool = True,
    static_root: str | Path | None = None,
) -> str:
    """The configuration text for ``sites`` served from ``store``."""
    n = regions.variants()
    share = f"{100 / n:.4f}".rstrip("0").rstrip(".")
    splits = "\n".join(f"    {share}% {i};" for i in range(n - 1)) + f"\n    * {n - 1};"
    variants = "\n".join(f'    "{i}" {i};' for i in range(n))
    upstream_block = (
        f"upstream dateline_django {{\n    server {upstream};\n}}\n" if upstream else ""
    )
    text = _DEFAULTS.format(listen=listen, internal=internal) if default_server else ""
    text += _HTTP.format(
        splits=splits,
        variants=variants,
        microcache=microcache,
        cache_dir=cache_dir,
        internal=internal,
        upstream=upstream_block,
    )
    static_root = static_root if static_root is not None else getattr(settings, "STATIC_ROOT", "")
    for site in sites:
        header_lines = []
        for name, value in store.headers(site.host).get("text/html", []):
            if name.lower() == "content-type":
                continue
            header_lines.append(f"    add_header {name} {_quote(value)} always;")
        if upstream:
            # Django's responses keep their own headers (a location's add_header replaces
            # the server's) and are not kept by the micro-cache.
            dynamic = (
                "        add_header X-Accel-Expires 0 always;\n"
                "        proxy_pass http://dateline_django;\n"
                "        proxy_set_header Host $host;\n"
                "        proxy_set_header X-Forwarded-Proto $http_x_forwarded_proto;\n"
                "        proxy_set_header X-Forwarded-For $http_x_forwarded_for;"
            )
        else:
            dynamic = "        return 404;"
        static = ""
        if static_root:
            static = (
                f"    location /static/ {{\n        alias {Path(static_root)}/;\n"
                '        add_header Cache-Control "public, max-age=31536000, immutable";\n    }\n'
            )
        text += _FRONT.format(listen=listen, host=site.host, types=_TYPES, static=static)
        text += _SERVER.format(
            internal=internal,
            host=site.host,
            root=store.site_dir(site.host),
            types=_TYPES,
            microcache=microcache,
            headers="\n".join(header_lines),
            dynamic=dynamic,
        )
    return text


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
