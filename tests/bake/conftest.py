import io
import os
import re
import shutil
import socket
import subprocess
import time

import httpx
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from dateline.bake.store import PageStore
from dateline.bake.wsgi import PageCache


def stored_files(store, host="spacewar.localhost") -> dict[str, tuple[int, int]]:
    """Every stored file of a site (but _meta) -> (inode, mtime_ns)."""
    site = store.root / host
    return {
        str(p.relative_to(site)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in site.rglob("*")
        if p.is_file() and p.relative_to(site).parts[0] != "_meta"
    }


def without_promotions(page: str | bytes) -> str:
    """A page without its promotion draw (which differs from response to response)."""
    text = page.decode() if isinstance(page, bytes) else page
    return re.sub(r'<div class="promo[^"]*">.*?</div>', "", text, flags=re.S)


@pytest.fixture
def store(settings, tmp_path):
    """The page cache on, in a folder of the test's own."""
    settings.DATELINE_PAGE_DIR = str(tmp_path / "pages")
    settings.DATELINE_BAKE = False
    return PageStore(tmp_path / "pages")


class Response:
    def __init__(self, status, headers, body):
        self.status = int(status.split()[0])
        self.headers = dict(headers)
        self.body = body


@pytest.fixture
def wsgi(store):
    # Django closes database connections at the end of each request; in a test the
    # connection holds the test's transaction (Django's test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield _wsgi(store)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _wsgi(store):
    """GET through the production WSGI stack: the page cache's front, then Django.
    wsgi(path, host=..., headers={...}) -> Response; wsgi.app is the front."""
    app = PageCache(WSGIHandler(), store.root)

    def get(path, host="spacewar.localhost", headers=None, method="GET", query=""):
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": host,
            "SERVER_PORT": "80",
            "HTTP_HOST": host,
            "SCRIPT_NAME": "",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": io.StringIO(),
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        seen = {}

        def start_response(status, response_headers, exc_info=None):
            seen["status"], seen["headers"] = status, response_headers

        chunks = get.app(environ, start_response)
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        return Response(seen["status"], seen["headers"], body)

    get.app = app
    return get


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx(tmp_path, settings):
    """Real nginx serving the bake with the configuration `dateline bake` writes (and the
    collected static files)."""
    binary = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed (apt-get install nginx); CI must run this test")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    port = _free_port()
    prefix = tmp_path / "nginx"
    (prefix / "logs").mkdir(parents=True)

    def start():
        settings.STATIC_ROOT = str(tmp_path / "static")
        call_command("collectstatic", "--noinput", "--verbosity", "0")
        call_command("bake", "--no-pages", "--nginx-conf", str(prefix / "sites.conf"),
                     "--listen", f"127.0.0.1:{port}", "--internal", f"unix:{prefix}/ssi.sock",
                     "--cache-dir", str(prefix / "cache"))  # fmt: skip
        (prefix / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")
            + f"worker_processes 1;\npid {prefix}/nginx.pid;\nerror_log {prefix}/logs/error.log;\n"
            f"events {{}}\nhttp {{\n  access_log off;\n  include {prefix}/sites.conf;\n}}\n"
        )
        process = subprocess.Popen(
            [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(process.stdout.read().decode())
                time.sleep(0.05)
        start.process = process
        return httpx.Client(base_url=f"http://127.0.0.1:{port}")

    yield start
    if getattr(start, "process", None):
        start.process.terminate()
        start.process.wait(timeout=10)
