"""The nginx configuration that serves the page store (docs/deploy.md, "Static bake").

One server block per site: its baked folder as root, SSI for the shared fragments, a
random promotion draw per request, 410 for withdrawn stories (their baked page from
``_gone/``), the baked 404 page, compression, the same security headers Django sends,
and what is not baked (search, forms, the API, the desk, the admin) passed to Django.
"""

from pathlib import Path

from django.conf import settings

from . import regions
from .store import PageStore

_HTTP = """\
# Written by `dateline bake --nginx-conf`; include it in nginx's http block.
# The promotion draw of each request (the baked fragments promotions/<slot>.<n>.html).
split_clients "${{request_id}}" $dateline_variant {{
{splits}
}}
{upstream}"""

_SERVER = """\
server {{
    listen {listen};
    server_name {host};
    root {root};
    charset utf-8;
    charset_types application/rss+xml application/atom+xml application/xml text/plain;
    index index.html index.rss index.atom;
    types {{  # the baked names, and what /static/ holds
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
        font/woff2 woff2;
    }}
    default_type application/octet-stream;
    ssi on;
    # A page is its shell plus a dozen SSI subrequests for fragment files: keep their
    # descriptors open rather than open() and stat() each file on every request. A
    # re-bake replaces files by rename; nginx sees the new file within the second.
    open_file_cache max=20000 inactive=60s;
    open_file_cache_valid 1s;
    open_file_cache_min_uses 1;
    open_file_cache_errors on;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    # Compressed only for clients that ask (Accept-Encoding: gzip).
    gzip on;
    gzip_vary on;
    gzip_min_length 512;
    gzip_types application/rss+xml application/atom+xml application/xml text/plain text/css
               text/javascript application/json image/svg+xml;
{headers}
    # Baked pages; what is not baked goes to Django (or is a 404 without it).
    location / {{
        # A page's file directly (not via the index module's internal redirect).
        try_files $uri ${{uri}}index.html ${{uri}}index.rss ${{uri}}index.atom $uri/ @dynamic;
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
    location /_fragments/ {{ internal; }}
    location /_meta/ {{ return 404; }}
{static}}}
"""


def nginx_conf(
    store: PageStore,
    sites,
    *,
    listen: str = "80",
    upstream: str = "",
    static_root: str | Path | None = None,
) -> str:
    """The configuration text for ``sites`` served from ``store``."""
    n = regions.variants()
    share = f"{100 / n:.4f}".rstrip("0").rstrip(".")
    splits = "\n".join(f"    {share}% {i};" for i in range(n - 1)) + f"\n    * {n - 1};"
    upstream_block = (
        f"upstream dateline_django {{\n    server {upstream};\n}}\n" if upstream else ""
    )
    text = _HTTP.format(splits=splits, upstream=upstream_block)
    static_root = static_root if static_root is not None else getattr(settings, "STATIC_ROOT", "")
    for site in sites:
        header_lines = []
        for name, value in store.headers(site.host).get("text/html", []):
            if name.lower() == "content-type":
                continue
            header_lines.append(f"    add_header {name} {_quote(value)} always;")
        if upstream:
            dynamic = (
                "        proxy_pass http://dateline_django;\n"
                "        proxy_set_header Host $host;\n"
                "        proxy_set_header X-Forwarded-Proto $scheme;\n"
                "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"
            )
        else:
            dynamic = "        return 404;"
        static = ""
        if static_root:
            static = (
                f"    location /static/ {{\n        alias {Path(static_root)}/;\n"
                '        add_header Cache-Control "public, max-age=31536000, immutable";\n    }\n'
            )
        text += _SERVER.format(
            listen=listen,
            host=site.host,
            root=store.site_dir(site.host),
            headers="\n".join(header_lines),
            dynamic=dynamic,
            static=static,
        )
    return text


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
