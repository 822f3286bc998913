"""Small security primitives shared by every layer: safe names, safe paths, private dirs."""

from __future__ import annotations

import os
import re
import time
import unicodedata
from pathlib import Path

from model_store.files import MAX_NAME_LENGTH, is_name

_SLUG_STRIP = re.compile(r"[^a-z0-9]+")


class UnsafeNameError(ValueError):
    """A user-supplied name cannot be turned into a safe identifier."""


def slugify(raw: str, *, field: str = "name") -> str:
    """Turn any user text into ``[a-z0-9-]`` (at most 64 chars) or raise naming ``field``.

    ``../../etc/passwd`` becomes ``etc-passwd``: separators and dots never survive, so a slug
    can never climb out of the folder it is joined to.
    """
    if not isinstance(raw, str):
        raise UnsafeNameError(f"{field}: expected text, got {type(raw).__name__}")
    ascii_text = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    slug = _SLUG_STRIP.sub("-", ascii_text.lower()).strip("-")[:MAX_NAME_LENGTH].strip("-")
    if not slug:
        raise UnsafeNameError(f"{field}: {raw[:40]!r} has no letters or digits to make a name from")
    return slug


def is_slug(name: object) -> bool:
    """True for names :func:`slugify` could have produced (the model store's name rule: one rule for
    datasets, models and aliases)."""
    return is_name(name)


def child_path(root: Path, name: str, suffix: str = "") -> Path:
    """``root/name+suffix`` after checking ``name`` is a slug and the result stays inside ``root``."""
    if not is_slug(name):
        raise UnsafeNameError(f"name: {str(name)[:40]!r} is not a valid identifier")
    root = root.resolve()
    path = (root / f"{name}{suffix}").resolve()
    if path.parent != root:
        raise UnsafeNameError(f"name: {name[:40]!r} escapes its folder")
    return path


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) and make it owner-only (0700).

    Cache folders hold pickled values; nobody else on the machine may write there.
    """
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def shared_secret(path: Path, *, size: int = 32) -> bytes:
    """A random key in ``path`` (0600), made by whichever process comes first; every process and machine
    sharing the folder reads the same key. Returned hex-encoded."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "wb") as fh:
            fh.write(os.urandom(size).hex().encode())
            fh.flush()
            os.fsync(fh.fileno())
    for _ in range(100):  # a racing creator may not have written its bytes yet
        secret = path.read_bytes().strip()
        if len(secret) == 2 * size:
            return secret
        time.sleep(0.01)
    raise RuntimeError(f"{path.name}: the key file is damaged; delete it to make a new one")
