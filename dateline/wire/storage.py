"""Raw deliveries, kept byte for byte under var/deliveries/, addressed by SHA-256."""

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def deliveries_root() -> Path:
    return Path(settings.DATELINE_DELIVERIES_DIR)


def raw_path(sha256: str) -> Path:
    return deliveries_root() / sha256[:2] / sha256


def raw_store(data: bytes) -> str:
    """Store ``data`` once (atomically: a reader never sees half a file); its SHA-256."""
    sha256 = hashlib.sha256(data).hexdigest()
    path = raw_path(sha256)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return sha256


def raw_read(sha256: str) -> bytes:
    return raw_path(sha256).read_bytes()
