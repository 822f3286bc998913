"""Who is acting: the name recorded beside what a request or a background job does (a run, an alias move).

Set by the wiring for every request (the logged-in user, or ``local`` without login) and for every background
job from the request that started it, so services on any machine read it without knowing about the web."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

LOCAL = "local"
_ACTOR: ContextVar[str | Callable[[], str]] = ContextVar("dashboard_actor", default=LOCAL)


def current_actor() -> str:
    actor = _ACTOR.get()
    name = actor() if callable(actor) else actor
    return str(name)[:100] or LOCAL


def set_actor(actor: str | Callable[[], str]) -> None:
    """For the rest of this request or job (a request's thread sets it anew each time). A request sets a
    function, asked only when something is recorded: most requests record nothing."""
    _ACTOR.set(actor)


@contextmanager
def acting_as(name: str) -> Iterator[None]:
    token = _ACTOR.set(str(name)[:100] or LOCAL)
    try:
        yield
    finally:
        _ACTOR.reset(token)
