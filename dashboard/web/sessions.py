"""Login-mode sessions the server can end, and a brake on password guessing (OWASP ASVS 2.2 and 3.3).

A Flask session is a signed cookie: before, a copy of it kept working after logout, after the user's password
changed, for Flask's default 31 days. Now each login is a record on the server, named by a random id that the
cookie carries; a request is logged in only while its record exists, belongs to a user whose password is the one
it was issued under, has been used within ``IDLE_SECONDS`` and is younger than ``ABSOLUTE_SECONDS``. Logout
deletes it. Records live where every worker sees them: a diskcache in the cache dir on one machine, Redis when
the app is scaled out.

Failed logins are counted per account and per client address with ``limits`` (Flask-Limiter's engine, moving
windows); past either limit the login form says how many seconds to wait, and the right password waits too.
The counts live where the session records do, so N gunicorn workers give a guesser one window, not N.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from dashboard.safety import private_dir

IDLE_SECONDS = 30 * 60
ABSOLUTE_SECONDS = 12 * 3600
TOUCH_EVERY = 60  # a record's last use is written at most this often
ACCOUNT_FAILURES = "5/5 minutes"  # failed logins of one account...
ADDRESS_FAILURES = "20/5 minutes"  # ...and from one client address, in moving windows


class RecordStore(Protocol):
    def get(self, key: str) -> str | None: ...
    def put(self, key: str, value: str, ttl: int) -> None: ...
    def delete(self, key: str) -> None: ...


class DiskRecords:
    """Records in a diskcache shared by the workers of one machine (owner-only folder)."""

    def __init__(self, directory: Path) -> None:
        import diskcache

        self.cache = diskcache.Cache(str(private_dir(directory)))

    def get(self, key: str) -> str | None:
        return self.cache.get(key)

    def put(self, key: str, value: str, ttl: int) -> None:
        self.cache.set(key, value, expire=ttl)

    def delete(self, key: str) -> None:
        self.cache.delete(key)


class RedisRecords:
    def __init__(self, url: str, prefix: str = "dashboard:session:") -> None:
        import redis

        self.client, self.prefix = redis.Redis.from_url(url), prefix

    def get(self, key: str) -> str | None:
        value = self.client.get(self.prefix + key)
        return value.decode() if value is not None else None

    def put(self, key: str, value: str, ttl: int) -> None:
        self.client.set(self.prefix + key, value, ex=ttl)

    def delete(self, key: str) -> None:
        self.client.delete(self.prefix + key)


@dataclass(frozen=True)
class Session:
    user: str
    stamp: str
    issued: float
    seen: float


class SessionRegistry:
    def __init__(self, records: RecordStore) -> None:
        self.records = records

    def open(self, user: str, stamp: str) -> str:
        sid = secrets.token_urlsafe(32)
        now = time.time()
        self._write(sid, Session(user, stamp, now, now))
        return sid

    def check(self, sid: Any, user: str, stamp: str) -> bool:
        """Whether ``sid`` is a live session of ``user`` under the password ``stamp``; refreshes its last use."""
        if not isinstance(sid, str) or not 20 <= len(sid) <= 64:
            return False
        raw = self.records.get(sid)
        if raw is None:
            return False
        session = Session(**json.loads(raw))
        now = time.time()
        alive = now - session.seen < IDLE_SECONDS and now - session.issued < ABSOLUTE_SECONDS
        if not alive or session.user != user or session.stamp != stamp:
            self.records.delete(sid)
            return False
        if now - session.seen > TOUCH_EVERY:
            self._write(sid, Session(session.user, session.stamp, session.issued, now))
        return True

    def close(self, sid: Any) -> None:
        if isinstance(sid, str) and sid:
            self.records.delete(sid)

    def _write(self, sid: str, session: Session) -> None:
        ttl = int(min(IDLE_SECONDS, ABSOLUTE_SECONDS - (time.time() - session.issued))) + 1
        self.records.put(sid, json.dumps(session.__dict__), max(ttl, 1))


def disk_windows(directory: Path):
    """A ``limits`` storage for moving windows in a diskcache shared by the workers of one machine.

    ``limits`` ships memory (one process), Redis, Memcached and MongoDB storages; a single machine without
    Redis needs the workers' counts in one place, and the cache dir is that place. Each key holds its
    entries' times, newest first; an acquire reads and writes them in one SQLite transaction, so two workers
    never both take the last entry."""
    import diskcache
    from limits.storage import MovingWindowSupport, Storage

    class DiskWindows(Storage, MovingWindowSupport):
        STORAGE_SCHEME = None  # built here, never from a URI

        def __init__(self) -> None:
            super().__init__()
            self.cache = diskcache.Cache(str(private_dir(directory)))

        @property
        def base_exceptions(self):
            return OSError

        def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
            if amount > limit:
                return False
            with self.cache.transact():
                now = time.time()
                times = [t for t in self.cache.get(key, ()) if t > now - expiry]
                if len(times) + amount > limit:
                    return False
                self.cache.set(key, [now] * amount + times, expire=expiry)
                return True

        def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
            now = time.time()
            times = [t for t in self.cache.get(key, ()) if t > now - expiry]
            return (times[-1], len(times)) if times else (now, 0)

        def clear(self, key: str) -> None:
            self.cache.delete(key)

        def reset(self) -> int | None:
            return self.cache.clear()

        def check(self) -> bool:
            return True

        # Counters of the fixed-window strategies; the login brake uses moving windows only.
        def incr(self, key: str, expiry: int, amount: int = 1) -> int:
            raise NotImplementedError("moving windows only")

        def get(self, key: str) -> int:
            raise NotImplementedError("moving windows only")

        def get_expiry(self, key: str) -> float:
            raise NotImplementedError("moving windows only")

    return DiskWindows()


class LoginThrottle:
    """Failed logins per account and per client address, in moving windows."""

    def __init__(self, storage_uri: str = "memory://", storage: Any = None) -> None:
        """``storage``: a ``limits`` storage (:func:`disk_windows`), else one from ``storage_uri``."""
        from limits import parse, strategies  # login mode only
        from limits.storage import storage_from_string

        self.limiter = strategies.MovingWindowRateLimiter(storage or storage_from_string(storage_uri))
        self.account_item, self.address_item = parse(ACCOUNT_FAILURES), parse(ADDRESS_FAILURES)

    def wait_seconds(self, account: str, address: str) -> int:
        """Seconds before another attempt may be tried; 0 now."""
        waits = [
            self.limiter.get_window_stats(item, *key).reset_time - time.time()
            for item, key in self._keys(account, address)
            if not self.limiter.test(item, *key)
        ]
        return max(1, int(max(waits)) + 1) if waits else 0

    def failed(self, account: str, address: str) -> None:
        for item, key in self._keys(account, address):
            self.limiter.hit(item, *key)

    def succeeded(self, account: str) -> None:
        self.limiter.clear(self.account_item, "account", _account(account))

    def _keys(self, account: str, address: str):
        return ((self.account_item, ("account", _account(account))), (self.address_item, ("address", address)))


def _account(name: str) -> str:
    return hashlib.sha256(name.strip().lower().encode()).hexdigest()[:32]  # any text, one bounded key
