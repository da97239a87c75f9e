"""A content-addressed cache for rendered charts and pages.

The key of an entry is a hash of everything its output depends on; the entry stores the output
with a checksum, so a corrupt or truncated file is detected, removed and rendered again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any


def digest(*parts: Any) -> str:
    """SHA-256 of JSON-serialisable parts (sorted keys: dict order never changes a key)."""
    h = hashlib.sha256()
    for part in parts:
        data = (
            part
            if isinstance(part, bytes)
            else json.dumps(part, sort_keys=True, default=str).encode()
        )
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def files_digest(paths: list[Path]) -> str:
    """SHA-256 over the names and bytes of files (the code and templates an output depends on)."""
    return digest(*[p.name.encode() + b"\0" + p.read_bytes() for p in sorted(paths)])


class CacheError(Exception):
    """The cache directory cannot be used (not a directory, not writable, full)."""


class Cache:
    """Entries under ``root/<key[:2]>/<key>``: 64 hex digits of checksum, newline, content."""

    def __init__(self, root: Path | None):
        self.root = root

    def _path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / key[:2] / key

    def get(self, key: str) -> bytes | None:
        """The stored bytes; None when missing, disabled or damaged (a damaged entry is removed)."""
        if self.root is None:
            return None
        path = self._path(key)
        try:
            raw = path.read_bytes()
        except IsADirectoryError:  # something else took the entry's name: render again
            shutil.rmtree(path, ignore_errors=True)
            return None
        except OSError:
            return None
        checksum, _, content = raw.partition(b"\n")
        if checksum.decode("ascii", "replace") != hashlib.sha256(content).hexdigest():
            path.unlink(missing_ok=True)
            return None
        return content

    def put(self, key: str, content: bytes) -> None:
        """Store ``content`` atomically (a crash never leaves a half-written entry behind).

        A file or folder in the way of an entry is removed; a cache directory that cannot be
        written raises ``CacheError`` naming it.
        """
        if self.root is None:
            return
        path = self._path(key)
        try:
            if path.parent.exists() and not path.parent.is_dir():
                path.parent.unlink()  # a stray file where the shard folder belongs
            if path.is_dir():
                shutil.rmtree(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(hashlib.sha256(content).hexdigest().encode() + b"\n" + content)
                Path(tmp).replace(path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as e:
            raise CacheError(
                f"cannot write the cache entry {e.filename or path}: {e.strerror or e}; "
                f"remove {self.root} or build with --no-cache"
            ) from None
