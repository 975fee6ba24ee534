import io

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from dateline.bake.store import PageStore
from dateline.bake.wsgi import PageCache


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
