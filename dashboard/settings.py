"""Application settings: one typed object, read from ``DASHBOARD_*`` environment variables.

``create_app`` is the only caller of :meth:`Settings.from_env`; everything else receives a
``Settings`` instance, so tests build apps with explicit settings and never touch the environment.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

ENV_PREFIX = "DASHBOARD_"
MB = 1024 * 1024


class SettingsError(ValueError):
    """A ``DASHBOARD_*`` variable has a bad value; the message names it."""


class Settings(BaseModel):
    """Everything configurable about one app instance."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path = Path("var/data")
    cache_dir: Path = Path("var/cache")
    model_dir: Path = Path("var/models")
    host: str = "127.0.0.1"
    port: int = Field(8050, ge=1, le=65535)
    max_upload_mb: float = Field(200.0, gt=0)
    max_columns: int = Field(2000, ge=1)
    # Decoded-size bounds, checked before or while an upload is decoded (see dashboard/data/uploads.py).
    max_cells: int = Field(25_000_000, ge=1)
    max_excel_mb: float = Field(64.0, gt=0)  # a workbook's decompressed size
    # Origins allowed to embed the app in an iframe, besides itself ('self').
    frame_ancestors: tuple[str, ...] = ()
    # Host names served besides loopback ones and ``host`` (a DNS-rebinding guard; "*": any). Set, it applies
    # in login mode too (see dashboard/web/origin_guard.py).
    allowed_hosts: tuple[str, ...] = ()
    api_key: str | None = None  # one key for the REST API's writes when there is no users file
    # Login for the UI and per-user API keys (python -m dashboard.web.users). Without it: local mode, no login.
    users_file: Path | None = None
    # Serve without login on a non-loopback host (e.g. behind a proxy that authenticates).
    allow_anonymous: bool = False
    # Signs session cookies; by default a random key in <cache dir>/session.key (shared by every worker).
    secret_key: str | None = Field(None, min_length=32)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Scatter plots above this many points are sampled server-side.
    point_budget: int = Field(20_000, ge=100)
    cache_size_limit_mb: int = Field(1024, ge=16)
    # "diskcache": one machine, no services. "celery": every background callback and API job runs on
    # Celery workers with Redis as broker, result store, memo and lock service (several machines).
    job_backend: Literal["diskcache", "celery"] = "diskcache"
    redis_url: str | None = None
    # Where run records are kept (SQLAlchemy URL). Default: SQLite in the data dir; scaled out, PostgreSQL
    # (postgresql+psycopg://user:password@host/db) so every machine lists the same runs.
    runs_db: str | None = None
    # Share of served predictions kept in the prediction log (0 keeps none; a model's log can also be off).
    prediction_log_sample: float = Field(1.0, ge=0.0, le=1.0)
    job_workers: int = Field(2, ge=1, le=64)  # threads running API jobs in each process (diskcache backend)
    # Finished jobs, their results and batch-scoring files are deleted this long after they finish.
    job_ttl_hours: float = Field(24.0, gt=0, le=24 * 365)
    # A running API job beats this often; silent for 4 beats, it is taken over by a retry or failed.
    job_heartbeat_seconds: float = Field(5.0, gt=0, le=600)
    # Train the demo models in the background when the model store has none of them.
    demo_models: bool = True
    max_predict_rows: int = Field(10_000, ge=1)  # per synchronous predict request
    train_n_jobs: int = Field(2, ge=1, le=64)  # folds fitted in parallel (joblib, as cross_validate)
    debug: bool = False

    @field_validator("frame_ancestors", "allowed_hosts", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part for part in value.replace(",", " ").split() if part)
        return value

    @field_validator("frame_ancestors")
    @classmethod
    def _check_origins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for origin in value:
            # Anything else could inject extra CSP directives into the header.
            if not (origin.startswith(("http://", "https://")) or origin == "*") or any(
                ch in origin for ch in " ;,'\"\n\r"
            ):
                raise ValueError(f"not an origin: {origin!r} (expected e.g. https://reports.example.com)")
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _check_hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for host in value:
            if host != "*" and not all(ch.isalnum() or ch in ".-[]:" for ch in host):
                raise ValueError(f"not a host name: {host[:80]!r} (expected e.g. dashboard.example.com)")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected redis://host:port/db, rediss://... or unix:///path")
        return value

    @field_validator("runs_db")
    @classmethod
    def _check_runs_db(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
            raise ValueError("expected sqlite:///path or postgresql+psycopg://user:password@host:port/db")
        return value

    @model_validator(mode="after")
    def _celery_needs_redis(self) -> Settings:
        if self.job_backend == "celery" and not self.redis_url:
            raise ValueError("redis_url: DASHBOARD_JOB_BACKEND=celery needs DASHBOARD_REDIS_URL")
        return self

    @model_validator(mode="after")
    def _open_hosts_need_login(self) -> Settings:
        if not self.users_file and not self.allow_anonymous and not is_loopback(self.host):
            raise ValueError(
                f"host: {self.host} is reachable from other machines, and without DASHBOARD_USERS_FILE anyone "
                "there could upload, save and delete; set DASHBOARD_USERS_FILE (login), or "
                "DASHBOARD_ALLOW_ANONYMOUS=true if something in front of the app authenticates"
            )
        return self

    @property
    def login_required(self) -> bool:
        return self.users_file is not None

    @property
    def job_ttl_seconds(self) -> int:
        return max(1, int(self.job_ttl_hours * 3600))

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * MB)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``DASHBOARD_<FIELD>`` variables; a bad value names its variable."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in cls.model_fields:
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None and raw != "":
                values[name] = raw
        values.update(overrides)
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(_describe(err) for err in exc.errors())
            raise SettingsError(problems) from None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve anywhere


def _describe(err: dict) -> str:
    """One validation problem, named by its variable (model-level checks name theirs in the message)."""
    if err["loc"]:
        return f"{ENV_PREFIX}{str(err['loc'][0]).upper()}: {err['msg']}"
    message = str(err["msg"]).removeprefix("Value error, ")
    field, _, rest = message.partition(": ")
    return f"{ENV_PREFIX}{field.upper()}: {rest}" if rest else message
