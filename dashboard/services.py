"""The app's service objects, built once per app from its settings and handed to every layer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dashboard.actors import current_actor
from dashboard.clusters.service import ClusterService
from dashboard.clusters.serving import ClusterAdapter
from dashboard.data.catalog import Catalog
from dashboard.data.explorer import ExplorerService
from dashboard.data.incoming import IncomingFiles
from dashboard.data.reports import ReportStore
from dashboard.data.upload_base import DecodeLimits
from dashboard.jobs.layer import JobLayer, create_job_layer
from dashboard.jobs.queue import ExecutorFactory, JobQueue, ThreadExecutor
from dashboard.monitoring import PredictionLog
from dashboard.monitoring.runner import make_retrain_runner
from dashboard.monitoring.service import MonitoringService
from dashboard.recommend.service import RecommendService
from dashboard.recommend.serving import RecommendAdapter
from dashboard.runs.database import Database, sqlite_url
from dashboard.runs.journal import ClusterJournal, RecommendJournal, TrainJournal
from dashboard.runs.leaderboard import make_try_all_runner
from dashboard.runs.store import RunStore
from dashboard.safety import private_dir
from dashboard.serving.batch import make_batch_runner
from dashboard.serving.service import Serving
from dashboard.settings import MB, Settings
from dashboard.train.diagnostics import RunDiagnostics
from dashboard.train.service import TrainingService
from dashboard.train.tpe import local_storage, redis_storage
from model_store import ModelStore


@dataclass(frozen=True)
class Services:
    settings: Settings
    catalog: Catalog
    incoming: IncomingFiles  # page uploads waiting for their callback
    jobs: JobLayer
    explorer: ExplorerService
    models: ModelStore
    serving: Serving
    queue: JobQueue
    training: TrainingService
    diagnostics: RunDiagnostics  # of a Train run: calibration, subgroups, SHAP, one tree
    clusters: ClusterService
    recommend: RecommendService
    predictions: PredictionLog  # what each model version answered, and the labels that came back
    monitoring: MonitoringService  # drift, re-verification and retraining of stored versions
    reports: ReportStore  # saved reports: pinned views, exported by dashboard.reports
    runs: RunStore  # every run computed on purpose, kept in SQL


def build_services(settings: Settings) -> Services:
    data_dir = private_dir(settings.data_dir)
    jobs = create_job_layer(settings)
    catalog = Catalog(
        data_dir,
        max_upload_bytes=settings.max_upload_bytes,
        max_columns=settings.max_columns,
        locks=jobs.locks,
        limits=DecodeLimits(
            max_cells=settings.max_cells,
            max_decoded_bytes=2 * settings.max_upload_bytes,
            max_excel_bytes=int(settings.max_excel_mb * MB),
        ),
    )
    explorer = ExplorerService(catalog, jobs.memo, point_budget=settings.point_budget)
    models = ModelStore(private_dir(settings.model_dir), lock=jobs.locks, actor=current_actor)
    # Each feature whose models answer differently from a classifier or regressor brings its adapter.
    serving = Serving({"clustering": ClusterAdapter(), "recommendation": RecommendAdapter()})
    predictions = PredictionLog(data_dir / "predictions", sample=settings.prediction_log_sample, locks=jobs.locks)
    runs = RunStore(Database(settings.runs_db or sqlite_url(data_dir / "runs.sqlite3"), lock=jobs.locks))
    training = TrainingService(
        catalog,
        explorer,
        jobs.memo,
        models,
        n_jobs=settings.train_n_jobs,
        optuna_storage=_optuna_storage(settings),
        journal=TrainJournal(runs),
    )
    monitoring = MonitoringService(models, catalog, predictions, training)
    queue = JobQueue(
        Path(settings.cache_dir) / "api-jobs",
        runners={
            "batch_predict": make_batch_runner(models, serving, predictions),
            "retrain": make_retrain_runner(monitoring),
            "try_every_model": make_try_all_runner(runs, training),
        },
        executor=_api_executor(settings, jobs),
        locks=jobs.locks,
        heartbeat_seconds=settings.job_heartbeat_seconds,
        ttl_seconds=settings.job_ttl_seconds,
    )
    return Services(
        settings=settings,
        catalog=catalog,
        incoming=IncomingFiles(data_dir / "incoming"),
        jobs=jobs,
        explorer=explorer,
        models=models,
        serving=serving,
        queue=queue,
        training=training,
        diagnostics=RunDiagnostics(training),
        clusters=ClusterService(catalog, explorer, jobs.memo, models, journal=ClusterJournal(runs)),
        recommend=RecommendService(catalog, jobs.memo, models, journal=RecommendJournal(runs)),
        predictions=predictions,
        monitoring=monitoring,
        reports=ReportStore(data_dir / "reports"),
        runs=runs,
    )


def _optuna_storage(settings: Settings):
    if settings.job_backend == "celery" and settings.redis_url:
        return redis_storage(settings.redis_url)
    return local_storage(private_dir(settings.cache_dir) / "optuna.sqlite3")


def _api_executor(settings: Settings, jobs: JobLayer) -> ExecutorFactory:
    if jobs.celery is not None:
        from dashboard.jobs.celery_app import CeleryExecutor

        return lambda run: CeleryExecutor(jobs.celery, run)
    return lambda run: ThreadExecutor(run, settings.job_workers)
