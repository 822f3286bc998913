"""The app's service objects, built once per app from its settings and handed to every layer."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.data.catalog import Catalog
from dashboard.explore import ExplorerService
from dashboard.jobs import JobLayer, create_job_layer
from dashboard.safety import private_dir
from dashboard.settings import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    catalog: Catalog
    jobs: JobLayer
    explorer: ExplorerService


def build_services(settings: Settings) -> Services:
    data_dir = private_dir(settings.data_dir)
    catalog = Catalog(data_dir, max_upload_bytes=settings.max_upload_bytes, max_columns=settings.max_columns)
    jobs = create_job_layer(settings)
    explorer = ExplorerService(catalog, jobs.memo, point_budget=settings.point_budget)
    return Services(settings=settings, catalog=catalog, jobs=jobs, explorer=explorer)
