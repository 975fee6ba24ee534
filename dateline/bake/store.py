"""The page store: public pages as files, one folder per site host, which is both the
full-page cache of the Python server and the static bake that nginx serves as it is.

Layout of ``<root>/<host>/``::

    index.html, <section>/index.html, <section>/<yyyy>/<mm>/<dd>/<slug>/index.html, ...
    feeds/rss/index.rss, feeds/atom/index.atom, sitemap.xml, robots.txt, ...
    _fragments/footer.html, _fragments/headlines/<section>.html,
    _fragments/promotions/<slot>.<variant>.html      shared regions (SSI includes)
    _gone/<path>/index.html                          withdrawn stories, served with 410
    _meta/headers.json                               response headers per content type
    _meta/generation                                 replaced on every purge (see below)

Pages are *shells*: their shared regions are nginx SSI directives
(``<!--# include virtual="/_fragments/..." -->``) that nginx, or our own WSGI front
(``dateline.bake.wsgi``), fills in. Every file is written to a temporary name and
renamed over the old one, so a reader sees the old file or the new one, never half.

Exact invalidation across processes: a page rendered from data older than a purge
must not be stored after it. Writers note the site's generation before rendering and
store only if it is unchanged, under a shared lock; a purge takes the lock
exclusively, deletes, and replaces the generation file.
"""

import contextlib
import fcntl
import itertools
import json
import os
import re
from pathlib import Path

# Hosts and paths that map to files. Anything else is never read or written here:
# no "..", no upper case, no percent-escapes, no query strings.
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$")
_PATH = re.compile(r"^/(?:[a-z0-9][a-z0-9_-]*/)*(?:[a-z0-9][a-z0-9_.-]*\.(?:xml|txt))?$")

# Directory indexes by content type; the file name tells nginx the type.
INDEX_NAMES = {
    "text/html": "index.html",
    "application/rss+xml": "index.rss",
    "application/atom+xml": "index.atom",
}
_INDEX_ORDER = ("index.html", "index.rss", "index.atom")
META, FRAGMENTS, GONE = "_meta", "_fragments", "_gone"


def page_path_ok(path: str) -> bool:
    return bool(_PATH.match(path)) and ".." not in path


def host_ok(host: str) -> bool:
    return bool(_HOST.match(host)) and len(host) <= 253


class PageStore:
    def __init__(self, root):
        self.root = Path(root)

    # -- locations -------------------------------------------------------------------

    def site_dir(self, host: str) -> Path:
        if not host_ok(host):
            raise ValueError(f"not a host name for the page store: {host!r}")
        return self.root / host

    def page_file(self, host: str, path: str, content_type: str = "text/html") -> Path:
        """Where the page at ``path`` lives (for writing: the index name follows the type)."""
        if not page_path_ok(path):
            raise ValueError(f"not a storable page path: {path!r}")
        base = self.site_dir(host) / path.lstrip("/")
        if path.endswith("/"):
            return base / INDEX_NAMES.get(content_type.split(";")[0].strip(), "index.html")
        return base

    def gone_file(self, host: str, path: str) -> Path:
        if not page_path_ok(path) or not path.endswith("/"):
            raise ValueError(f"not a storable page path: {path!r}")
        return self.site_dir(host) / GONE / path.lstrip("/") / "index.html"

    def fragment_file(self, host: str, name: str) -> Path:
        if not re.fullmatch(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)?(?:\.\d+)?\.html", name):
            raise ValueError(f"not a fragment name: {name!r}")
        return self.site_dir(host) / FRAGMENTS / name

    def find_page(self, host: str, path: str) -> tuple[Path, int] | None:
        """The stored file of a page and the status it answers with (200, or 410 for a
        withdrawn story), or None."""
        if not (host_ok(host) and page_path_ok(path)):
            return None
        site = self.root / host
        if path.endswith("/"):
            base = site / path.lstrip("/")
            for name in _INDEX_ORDER:
                if (base / name).is_file():
                    return base / name, 200
            gone = site / GONE / path.lstrip("/") / "index.html"
            return (gone, 410) if gone.is_file() else None
        file = site / path.lstrip("/")
        return (file, 200) if file.is_file() else None

    def hosts(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and host_ok(p.name))

    # -- generation and locking ------------------------------------------------------

    def generation(self, host: str) -> bytes | None:
        """The site's current generation: random bytes replaced on every purge (compared
        by content, not by inode and mtime, which a coarse clock can repeat)."""
        try:
            with open(self.site_dir(host) / META / "generation", "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def generation_current(self, host: str) -> bytes:
        """The generation, starting one for a site that has none yet."""
        generation = self.generation(host)
        if generation is None:
            with self._lock(host, fcntl.LOCK_EX):
                if self.generation(host) is None:
                    self._bump(host)
            generation = self.generation(host)
        return generation

    @contextlib.contextmanager
    def _lock(self, host: str, mode: int):
        meta = self.site_dir(host) / META
        meta.mkdir(parents=True, exist_ok=True)
        with open(meta / "lock", "a+b") as handle:
            fcntl.flock(handle, mode)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _bump(self, host: str) -> None:
        meta = self.site_dir(host) / META
        meta.mkdir(parents=True, exist_ok=True)
        _write_atomic(meta / "generation", os.urandom(16))

    # -- writing ---------------------------------------------------------------------

    def write_if_current(self, host: str, writes: dict[Path, bytes], generation, removes=()):
        """Store ``writes`` (file -> bytes) and remove ``removes`` unless the site was
        purged since ``generation`` was read (None: the site had no files yet). Returns
        the generation written under (use it for the request's next writes), or None
        when nothing was stored."""
        first = generation is None
        with self._lock(host, fcntl.LOCK_EX if first else fcntl.LOCK_SH):
            if self.generation(host) != generation:
                return None
            if first:  # the site's first files start its generation
                self._bump(host)
                generation = self.generation(host)
            for file in removes:
                with contextlib.suppress(FileNotFoundError):
                    file.unlink()
            for file, data in writes.items():
                write_if_changed(file, data)
        return generation

    def page_target(
        self, host: str, path: str, status: int, content_type: str
    ) -> tuple[Path | None, list[Path]]:
        """Where a page answering ``status`` is stored (None: nowhere; a 200 at its path,
        a withdrawn story's 410 under ``_gone/``) and the page's other files to remove."""
        if status == 200:
            target = self.page_file(host, path, content_type)
        elif status == 410 and path.endswith("/"):
            target = self.gone_file(host, path)
        else:  # gone for good, moved, or not a page
            target = None
        return target, [f for f in self.page_files(host, path) if f != target]

    def page_files(self, host: str, path: str) -> list[Path]:
        """Every file that may hold the page at ``path`` (its index variants and its 410)."""
        if path.endswith("/"):
            base = self.site_dir(host) / path.lstrip("/")
            return [base / name for name in _INDEX_ORDER] + [self.gone_file(host, path)]
        return [self.page_file(host, path)]

    def replace(self, host: str, writes: dict[Path, bytes], removes=()) -> list[Path]:
        """Re-bake: write files whose bytes changed and remove ``removes``, as one step
        for concurrent writers (in-flight renders of this site are then discarded).
        Returns the files written or removed."""
        changed = []
        with self._lock(host, fcntl.LOCK_EX):
            for file in removes:
                with contextlib.suppress(FileNotFoundError):
                    file.unlink()
                    changed.append(file)
            for file, data in writes.items():
                if write_if_changed(file, data):
                    changed.append(file)
            self._bump(host)
        return changed

    def purge(self, host: str, files) -> list[Path]:
        """Delete ``files`` (pages or fragments) of the site; the next request renders them."""
        return self.replace(host, {}, removes=files)

    def purge_site(self, host: str) -> None:
        """Forget every page and fragment of the site (settings that every page shows changed)."""
        site = self.site_dir(host)
        with self._lock(host, fcntl.LOCK_EX):  # creates the folder: a new generation even so
            for child in site.iterdir():
                if child.name != META:
                    _remove_tree(child)
            self._bump(host)

    def headers(self, host: str) -> dict[str, list[list[str]]]:
        try:
            return json.loads((self.site_dir(host) / META / "headers.json").read_bytes())
        except (FileNotFoundError, ValueError):
            return {}

    def headers_set(self, host: str, content_type: str, headers: list[list[str]]) -> None:
        current = self.headers(host)
        if current.get(content_type) == headers:
            return
        current[content_type] = headers
        write_if_changed(
            self.site_dir(host) / META / "headers.json",
            json.dumps(current, indent=1, sort_keys=True).encode(),
        )


def write_if_changed(file: Path | str, data: bytes) -> bool:
    """Write ``data`` atomically unless the file already holds exactly these bytes (an
    unchanged file keeps its inode and mtime). Returns whether it wrote."""
    name = os.fspath(file)
    try:
        if os.stat(name).st_size == len(data):
            with open(name, "rb") as handle:
                if handle.read() == data:
                    return False
    except FileNotFoundError:
        pass
    _write_atomic(name, data)
    return True


_temporary_names = itertools.count()
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0)


def _write_atomic(file: Path | str, data: bytes) -> None:
    """Write a temporary file beside ``file`` and rename it over ``file``: a reader opens
    the old file or the new one, never half of one. Plain os calls, no more than needed
    (a full bake writes 100,000 files): the folder is made only when the first open
    finds it missing."""
    name = os.fspath(file)
    folder = os.path.dirname(name)
    for _attempt in range(5):
        tmp = os.path.join(folder, f".tmp-{os.getpid()}-{next(_temporary_names)}")
        try:
            fd = os.open(tmp, _CREATE, 0o644)
            break
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
        except FileExistsError:  # left by a writer that died with the same process id
            pass
    else:
        fd = os.open(tmp, _CREATE, 0o644)  # raises what keeps failing
    try:
        try:
            os.fchmod(fd, 0o644)  # whatever the umask: nginx reads as another user
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _remove_tree(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        for child in path.iterdir():
            _remove_tree(child)
        path.rmdir()
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def default_store() -> PageStore | None:
    """The configured store (settings.DATELINE_PAGE_DIR), or None when the cache is off."""
    from django.conf import settings

    root = getattr(settings, "DATELINE_PAGE_DIR", "")
    return PageStore(root) if root else None
