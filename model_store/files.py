"""Content hashes and atomic writes: readers see the old file or the new one, never a part."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

# Model and alias names: what a URL, a folder and a CLI argument can all carry unchanged.
_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
MAX_NAME_LENGTH = 64


def is_name(value: object) -> bool:
    """True for 1-64 lowercase letters, digits and inner dashes (never a path separator or a dot)."""
    return isinstance(value, str) and len(value) <= MAX_NAME_LENGTH and bool(_NAME.fullmatch(value))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_bytes(path: Path, data: bytes, *, fsync: bool = True) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder and one rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
