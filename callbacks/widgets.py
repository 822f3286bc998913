"""What every page's callbacks share: the run/cancel/progress grammar of a background job."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import Input, Output


def background_run(
    run_button: str,
    cancel_button: str | None = None,
    *,
    progress: Sequence[Output] = (),
    disabled: Sequence[str] = (),
    shown: Sequence[str] = (),
) -> dict[str, Any]:
    """Keyword arguments of a background callback, the same on every page: ``run_button`` (and any
    ``disabled`` control) is disabled while the job runs; ``cancel_button`` is enabled only then and cancels
    it; ``progress`` outputs take the job's ``set_progress`` values; ``shown`` panels (hidden until there is
    something to draw) are shown from the first run on."""
    running = [(Output(run_button, "disabled"), True, False)]
    running += [(Output(control, "disabled"), True, False) for control in disabled]
    if cancel_button is not None:
        running.append((Output(cancel_button, "disabled"), False, True))
    running += [(Output(panel, "hidden"), False, False) for panel in shown]
    kwargs: dict[str, Any] = {"background": True, "running": running}
    if cancel_button is not None:
        kwargs["cancel"] = [Input(cancel_button, "n_clicks")]
    if progress:
        kwargs["progress"] = list(progress)
    return kwargs
