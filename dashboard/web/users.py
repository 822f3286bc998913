"""Users and roles, from a JSON file: ``python -m dashboard.web.users add NAME --role editor``.

The file (``DASHBOARD_USERS_FILE``) holds a password hash per user (werkzeug's scrypt) and the SHA-256 of
each API key (keys are 32 random bytes, so a fast hash is enough; the key itself is shown once). It is
re-read when it changes, so adding a user needs no restart. Roles are ordered: an editor may do all a
viewer may.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import hashlib
import json
import os
import re
import secrets
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

ROLES = ("viewer", "editor")  # viewer: explore, train without saving, predict. editor: everything that writes.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")
# Checked against a name that does not exist, so a wrong name costs as long as a wrong password.


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when the name is unknown (same time as a wrong password); made on first
    use, since hashing costs a tenth of a second that every start would pay."""
    return generate_password_hash("not a password")


class UsersFileError(ValueError):
    """The users file is missing, unreadable or malformed; the message names the entry."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


class UserDirectory:
    """The users of one app, read from ``path``; safe to share between request threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._users: dict[str, dict] = {}
        self._by_key: dict[str, str] = {}
        self._reload()

    def get(self, name: str) -> User | None:
        entry = self._entries().get(name)
        return User(name, entry["role"]) if entry else None

    def password_stamp(self, name: str) -> str | None:
        """A digest of the user's stored password hash (not the hash): a session issued under another one
        (the password changed since) is over. None for a user who is not (or no longer) in the file."""
        entry = self._entries().get(name)
        return hashlib.sha256(str(entry["password"]).encode()).hexdigest()[:16] if entry else None

    def authenticate(self, name: str, password: str) -> User | None:
        entry = self._entries().get(name)
        if not check_password_hash(entry["password"] if entry else _dummy_hash(), password) or entry is None:
            return None
        return User(name, entry["role"])

    def by_api_key(self, key: str) -> User | None:
        self._entries()
        # A lookup by digest leaks nothing useful in its timing: finding a digest's prefix is no step
        # towards a key that hashes to it.
        name = self._by_key.get(_key_digest(key))
        return self.get(name) if name else None

    def _entries(self) -> dict[str, dict]:
        try:
            stat = self.path.stat()
        except OSError:
            return self._users  # a file being replaced: keep the last good copy
        if (stat.st_mtime_ns, stat.st_size) != self._stamp:
            with self._lock:
                self._reload()
        return self._users

    def _reload(self) -> None:
        users = read_users(self.path)
        self._by_key = {digest: name for name, entry in users.items() for digest in entry.get("api_keys", [])}
        self._users = users
        stat = self.path.stat()
        self._stamp = (stat.st_mtime_ns, stat.st_size)


def read_users(path: Path) -> dict[str, dict]:
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        create = "python -m dashboard.web.users add NAME"
        raise UsersFileError(f"{path}: no such users file (create one: {create})") from None
    except (OSError, ValueError) as exc:
        raise UsersFileError(f"{path}: not a readable users file ({exc})") from None
    users = document.get("users") if isinstance(document, dict) else None
    if not isinstance(users, dict):
        raise UsersFileError(f'{path}: expected {{"users": {{NAME: {{...}}}}}}')
    for name, entry in users.items():
        if not _NAME.fullmatch(name):
            raise UsersFileError(f"{path}: user {name[:64]!r}: a name is letters, digits and . _ @ - (at most 64)")
        if not isinstance(entry, dict) or entry.get("role") not in ROLES or not isinstance(entry.get("password"), str):
            raise UsersFileError(f"{path}: user {name!r}: needs a role ({' or '.join(ROLES)}) and a password hash")
    return users


def _key_digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def new_api_key() -> tuple[str, str]:
    """``(key, digest)``: the key goes to the user, the digest into the file."""
    key = "dk_" + secrets.token_urlsafe(32)
    return key, _key_digest(key)


def write_users(path: Path, users: dict[str, dict]) -> None:
    """Replace the file in one rename (0600), so a reader never sees half of it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".users-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"users": users}, fh, indent=2, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dashboard.web.users", description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", default=os.environ.get("DASHBOARD_USERS_FILE", "var/users.json"))
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="add or update a user (the password is read from stdin or a prompt)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="viewer")
    key = commands.add_parser("api-key", help="issue an API key for a user (printed once)")
    key.add_argument("name")
    remove = commands.add_parser("remove", help="remove a user and their API keys")
    remove.add_argument("name")
    args = parser.parse_args(argv)
    path = Path(args.file)
    users = read_users(path) if path.exists() else {}
    if args.command == "add":
        if not _NAME.fullmatch(args.name):
            parser.error("a name is letters, digits and . _ @ - (at most 64)")
        password = getpass.getpass("password: ") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
        if len(password) < 8:
            parser.error("the password needs at least 8 characters")
        entry = users.get(args.name, {})
        users[args.name] = {**entry, "role": args.role, "password": generate_password_hash(password)}
        print(f"{args.name}: {args.role}")
    elif args.name not in users:
        parser.error(f"no user named {args.name!r} in {path}")
    elif args.command == "api-key":
        plain, digest = new_api_key()
        users[args.name].setdefault("api_keys", []).append(digest)
        print(plain)
    else:
        del users[args.name]
    write_users(path, users)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
