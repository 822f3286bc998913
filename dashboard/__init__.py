"""Interactive analytics and prediction dashboard.

``create_app`` is imported lazily so that services (``dashboard.data`` and friends) can be used
without importing Dash.
"""

from typing import Any

from dashboard import artifact_types

artifact_types.register()  # before anything loads a model: every process imports this package first

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from dashboard.app_factory import create_app

        return create_app
    raise AttributeError(name)
