"""Files the browser uploads, held on disk until the callback that asked for them takes them.

A page upload used to travel as base64 inside a callback's JSON: the body, the parsed string and the
decoded bytes all lived in memory at once (5× the file at the limit). Now the browser posts the file
as multipart to ``/_dash-upload``; it is streamed to ``<data dir>/incoming/<token>.bin`` in small blocks,
and the page's callback receives only the token. A token is a capability: 128 random bits, returned only
to the browser tab that sent the file (as a signed URL is), and it names a file only after it is checked
to be 32 hex digits. Files live beside the datasets, so a Celery worker scoring a batch finds them too.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from dashboard.data.upload_base import UploadError
from dashboard.data.uploads import too_large_message
from dashboard.files import atomic_write_bytes

_TOKEN = re.compile(r"[0-9a-f]{32}")
BLOCK = 1 << 20


@dataclass(frozen=True)
class IncomingFile:
    token: str
    path: Path
    filename: str
    size: int


def copy_capped(source: BinaryIO, target: BinaryIO, limit: int) -> int:
    """Copy in 1 MiB blocks; over ``limit`` bytes it stops and raises ``too_large`` (its real size unknown)."""
    size = 0
    while block := source.read(BLOCK):
        size += len(block)
        if size > limit:
            raise UploadError("too_large", "file", too_large_message(None, limit))
        target.write(block)
    return size


def spool_to_disk(source: BinaryIO, directory: Path, limit: int) -> Path:
    """``source`` as a temp file in ``directory`` (the caller deletes it), never more than a block in memory."""
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".incoming-", suffix=".bin")
    try:
        with os.fdopen(fd, "wb") as fh:
            copy_capped(source, fh, limit)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _short_name(filename: str | None) -> str:
    """The file's own name (no folders), at most 120 characters, keeping its extension (it names the format)."""
    path = Path(filename or "upload")
    suffix = path.suffix[:16]
    return (path.stem or "upload")[: 120 - len(suffix)] + suffix


class IncomingFiles:
    def __init__(self, root: Path, *, max_age_seconds: float = 3600.0) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.max_age_seconds = max_age_seconds

    def receive(
        self, source: BinaryIO, filename: str, limit: int, *, owner: str = "local", purpose: str = "dataset"
    ) -> IncomingFile:
        """Store ``source`` for ``owner``, to be taken for ``purpose``; raises :class:`UploadError`
        (``too_large``, ``empty_file``, ``too_many_waiting``: the owner's files not yet taken reach twice
        the limit)."""
        self.sweep()
        if self.waiting_bytes(owner) >= 2 * limit:
            raise UploadError(
                "too_many_waiting",
                "file",
                "earlier uploads are still waiting to be read; finish them or wait an hour before sending more",
            )
        token = secrets.token_hex(16)
        path = spool_to_disk(source, self.root, limit)
        size = path.stat().st_size
        if size == 0:
            path.unlink()
            raise UploadError("empty_file", "file", "the file is empty (0 bytes)")
        name = _short_name(filename)
        meta = {"filename": name, "owner": owner, "purpose": purpose}
        atomic_write_bytes(self._meta(token), json.dumps(meta).encode(), fsync=False)
        os.replace(path, self._data(token))
        return IncomingFile(token, self._data(token), name, size)

    def waiting_bytes(self, owner: str) -> int:
        """Bytes of ``owner``'s files not taken yet (a viewer cannot fill the disk with files nobody reads)."""
        total = 0
        for meta_path in self.root.glob("*.json"):
            try:
                if json.loads(meta_path.read_text()).get("owner") == owner:
                    total += meta_path.with_suffix(".bin").stat().st_size
            except (OSError, ValueError):
                continue
        return total

    def claim(self, token: object, purpose: str | None = None) -> IncomingFile:
        """The file ``token`` names, while it is still here (and was sent for ``purpose``, when given)."""
        gone = UploadError("upload_gone", "file", "the uploaded file is no longer on the server; upload it again")
        if not isinstance(token, str) or not _TOKEN.fullmatch(token):
            raise gone
        try:
            meta = json.loads(self._meta(token).read_text())
            size = self._data(token).stat().st_size
        except (OSError, ValueError):
            raise gone from None
        if purpose is not None and meta.get("purpose", "dataset") != purpose:
            raise gone
        return IncomingFile(token, self._data(token), str(meta.get("filename") or "upload"), size)

    @contextlib.contextmanager
    def taken(self, token: object, purpose: str | None = None) -> Iterator[IncomingFile]:
        """The file ``token`` names, deleted when the block ends (a failed parse needs a new upload anyway)."""
        received = self.claim(token, purpose)
        try:
            yield received
        finally:
            self.release(received.token)

    def release(self, token: str) -> None:
        if _TOKEN.fullmatch(token):
            self._data(token).unlink(missing_ok=True)
            self._meta(token).unlink(missing_ok=True)

    def sweep(self) -> None:
        """Forget files nobody claimed (a closed tab, a failed callback) after ``max_age_seconds``."""
        cutoff = time.time() - self.max_age_seconds
        for path in self.root.iterdir():
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink(missing_ok=True)
            except OSError:
                continue

    def _data(self, token: str) -> Path:
        return self.root / f"{token}.bin"

    def _meta(self, token: str) -> Path:
        return self.root / f"{token}.json"
