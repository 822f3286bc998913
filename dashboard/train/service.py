"""Training service: validate a spec, run (or fetch) its cross-validation, serve threshold and cost
views from the cached out-of-fold scores, and save the refitted pipeline to the model store."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashboard.data.catalog import Catalog
from dashboard.data.explorer import ExplorerService
from dashboard.errors import FieldError, ResultExpired
from dashboard.jobs.layer import Memo
from dashboard.journal import NoJournal
from dashboard.train import evaluation, inspection
from dashboard.train.catalog import estimator_spec
from dashboard.train.compare import MAX_MODELS, MIN_MODELS, Comparison, compare, comparison_specs
from dashboard.train.cv import CVResult, refit, run_cv
from dashboard.train.search import SearchResult, SearchSpec, run_search
from dashboard.train.spec import Prepared, TrainSpec, prepare
from dashboard.train.tpe import run_tpe
from model_store import ModelStore, ModelVersion
from model_store.lazy import lazy_module

np = lazy_module("numpy")

NAMESPACE = "train.cv"
PDP_NAMESPACE = "train.pdp"
CURVE_NAMESPACE = "train.learning"
SEARCH_NAMESPACE = "train.search"


class TrainingService:
    def __init__(
        self,
        catalog: Catalog,
        explorer: ExplorerService,
        memo: Memo,
        store: ModelStore,
        n_jobs: int = 1,
        optuna_storage: Callable[[], Any] | None = None,
        journal: Any = None,
    ) -> None:
        self.catalog, self.explorer, self.memo, self.store, self.n_jobs = catalog, explorer, memo, store, n_jobs
        self.optuna_storage = optuna_storage  # makes where TPE studies are kept (None: in memory)
        # Told of every run started, progressed, finished or stopped (dashboard.runs.journal; None: no one).
        self.journal = journal or NoJournal()

    def _check_dataset(self, spec: TrainSpec) -> None:
        if not self.catalog.exists(spec.dataset):
            raise FieldError("dataset", f"no dataset named {spec.dataset[:64]!r}")

    def prepare(self, spec: TrainSpec) -> Prepared:
        self._check_dataset(spec)
        return prepare(spec, self.catalog.load(spec.dataset), self.explorer.kinds(spec.dataset))

    def token(self, spec: TrainSpec) -> str:
        self._check_dataset(spec)
        return self.memo.key_for(NAMESPACE, (self.catalog.fingerprint(spec.dataset), spec.key()))

    def cached(self, spec: TrainSpec) -> CVResult | None:
        return self.memo.get(self.token(spec))

    def run(
        self, spec: TrainSpec, *, on_fold=None, cancelled=None, group: str | None = None
    ) -> tuple[str, CVResult, bool]:
        """(token, result, was_cached). A cached result comes back without any fitting. ``group`` names the
        job the run belongs to in its record (a "try every model" job)."""
        token = self.token(spec)
        fingerprint = self.catalog.fingerprint(spec.dataset)

        def compute() -> CVResult:
            self.journal.started(token, spec, fingerprint, group=group)

            def progressed(fold, done):
                self.journal.progressed(token, done)
                if on_fold is not None:
                    on_fold(fold, done)

            try:
                return run_cv(
                    self.prepare(spec),
                    spec.cv,
                    importance=spec.importance,
                    on_fold=progressed,
                    cancelled=cancelled,
                    n_jobs=self.n_jobs,
                )
            except BaseException as exc:
                self.journal.stopped(token, exc)
                raise

        # an identical run elsewhere: wait for it, fit nothing
        result, computed = self.memo.compute_once(token, compute)
        self.journal.finished(token, spec, fingerprint, result, group=group)  # a cached repeat finds its run
        return token, result, not computed

    def compare(self, spec: TrainSpec, estimators: list[str], *, on_fold=None, cancelled=None) -> Comparison:
        """Each chosen family cross-validated on ``spec``'s folds, one after the other, each cached as a
        Train run of its own (a repeat, or a family already run, fits nothing). ``on_fold(model, fold, done)``
        reports progress: ``done`` folds out of ``len(estimators) * folds``."""
        specs = comparison_specs(spec, estimators)
        tokens, results = [], []
        for i, model_spec in enumerate(specs):

            def report(fold, done, i=i):
                if on_fold is not None:
                    on_fold(i, fold, i * spec.cv.folds + done)

            token, result, _ = self.run(model_spec, on_fold=report, cancelled=cancelled)
            tokens.append(token)
            results.append(result)
        return compare([estimator_spec(s.estimator).label for s in specs], tokens, results)

    def comparison(self, labels: list[str], tokens: list[str]) -> Comparison:
        """A comparison rebuilt from its cached runs (after a page load or a permalink)."""
        well_formed = (
            isinstance(labels, list)
            and isinstance(tokens, list)
            and len(labels) == len(tokens)
            and MIN_MODELS <= len(tokens) <= MAX_MODELS
            and all(isinstance(v, str) and len(v) <= 200 for v in labels + tokens)
        )
        if not well_formed:
            raise FieldError("compare", "this comparison is malformed; run it again")
        return compare(labels, tokens, [self.result(token) for token in tokens])

    def refitted(self, spec: TrainSpec):
        """The spec's pipeline fitted on every CV row (what Save stores), cached beside its CV result."""
        token = self.token(spec)
        self.result(token)  # the Train run comes first: its page holds these views
        model, _ = self.memo.compute_once(f"{token}:refit", lambda: refit(self.prepare(spec), self.result(token))[0])
        return model

    def partial_dependence(self, spec: TrainSpec, column: str) -> dict[str, Any]:
        """Partial dependence and ICE curves of ``column`` for the refitted pipeline (cached per column)."""
        if not isinstance(column, str) or column not in spec.features:
            raise FieldError("pdp.column", "choose one of the model's features")
        key = self.memo.key_for(PDP_NAMESPACE, (self.token(spec), column))

        def compute() -> dict[str, Any]:
            prepared = self.prepare(spec)
            rows = inspection.pdp_rows(prepared, spec)
            kinds = self.explorer.kinds(spec.dataset)
            return inspection.partial_dependence_curves(self.refitted(spec), rows, column, prepared.task, kinds)

        return self.memo.compute_once(key, compute)[0]

    def learning_curve(self, spec: TrainSpec) -> dict[str, Any]:
        """Score against training-set size on the run's own folds (cached)."""
        token = self.token(spec)
        self.result(token)
        key = self.memo.key_for(CURVE_NAMESPACE, (token,))
        compute = lambda: inspection.learning_curve_points(self.prepare(spec), spec, self.n_jobs)  # noqa: E731
        return self.memo.compute_once(key, compute)[0]

    def search_token(self, spec: TrainSpec, search: SearchSpec) -> str:
        self._check_dataset(spec)
        return self.memo.key_for(SEARCH_NAMESPACE, (self.catalog.fingerprint(spec.dataset), spec.key(), search.key()))

    def search(
        self, spec: TrainSpec, search: SearchSpec, *, on_result=None, cancelled=None
    ) -> tuple[str, SearchResult, bool]:
        """(token, result, was_cached). Each candidate's CV result is cached as if run alone."""
        token = self.search_token(spec, search)

        def compute() -> SearchResult:
            if search.mode == "tpe":
                result, per_candidate = run_tpe(
                    self.prepare(spec),
                    spec,
                    search,
                    storage=self.optuna_storage() if self.optuna_storage else None,
                    study_name=token,
                    on_result=on_result,
                    cancelled=cancelled,
                    n_jobs=self.n_jobs,
                )
            else:
                result, per_candidate = run_search(
                    self.prepare(spec), spec, search, on_result=on_result, cancelled=cancelled, n_jobs=self.n_jobs
                )
            fingerprint = self.catalog.fingerprint(spec.dataset)
            for i, (candidate_spec, cv_result) in enumerate(per_candidate):
                if cv_result is None:  # pruned: it never finished, so nothing to cache
                    result.tokens.append(None)
                    self.journal.pruned(f"{token}#{i}", candidate_spec, fingerprint, group=token)
                    continue
                result.tokens.append(self.token(candidate_spec))
                self.memo.set(result.tokens[-1], cv_result)
                self.journal.finished(
                    result.tokens[-1], candidate_spec, fingerprint, cv_result, kind="candidate", group=token
                )
            return result

        result, computed = self.memo.compute_once(token, compute)
        return token, result, not computed

    def search_result(self, token: str) -> SearchResult:
        hit = self.memo.get(token) if isinstance(token, str) and token.startswith(SEARCH_NAMESPACE + ":") else None
        if hit is None:
            raise ResultExpired("result: this cross-validation result is no longer cached; run it again")
        return hit

    def result(self, token: str) -> CVResult:
        hit = self.memo.get(token) if isinstance(token, str) and token.startswith(NAMESPACE + ":") else None
        if hit is None:
            raise ResultExpired("result: this cross-validation result is no longer cached; run it again")
        return hit

    def threshold_view(self, token: str) -> evaluation.ThresholdView:
        """Sorted out-of-fold scores for one result, cached beside it (built once, no fitting)."""
        key = token + ":threshold"
        view = self.memo.get(key)
        if view is None:
            result = self.result(token)
            if result.task != "binary" or result.oof_scores is None:
                raise FieldError("threshold", "thresholds apply to binary classifiers with scores")
            view = evaluation.ThresholdView(result.y, result.oof_scores, result.classes[1])
            self.memo.set(key, view)
        return view

    def threshold(
        self,
        token: str,
        threshold: float,
        cost_fp: float,
        cost_fn: float,
        benefit_tp: float,
        grid: np.ndarray | None = None,
    ) -> dict[str, Any]:
        view = self.threshold_view(token)
        curve = view.cost_curve(cost_fp, cost_fn, benefit_tp, grid)
        return {"confusion": view.confusion(threshold), "curve": curve}

    def save(
        self,
        spec: TrainSpec,
        token: str,
        name: str,
        description: str = "",
        *,
        parent: dict | None = None,
        run: int | None = None,
    ) -> ModelVersion:
        """Refit on all CV rows and store the pipeline with a filled model card (``parent``: the version it
        was retrained from; ``run``: the kept run it was promoted from; both on the card as its lineage)."""
        result = self.result(token)
        prepared = self.prepare(spec)
        model, holdout = refit(prepared, result)
        metrics = {k: v["mean"] for k, v in result.summary.items() if k not in ("fit_time", "score_time")}
        evaluation_bundle = self._evaluation_bundle(token, result)
        return self.store.save(
            model,
            name,
            X_sample=prepared.X,
            y=prepared.y,
            task=result.task,
            target=spec.target,
            metrics=metrics,
            cv={"spec": spec.cv.model_dump(), "scores": result.summary, "folds": [f["metrics"] for f in result.folds]},
            params={"estimator": spec.estimator, **prepared.estimator.checked_params(spec.params)},
            dataset={
                "id": spec.dataset,
                "fingerprint": self.catalog.fingerprint(spec.dataset),
                "rows": int(len(prepared.y)),
            },
            description=description or f"{prepared.estimator.label} on {spec.dataset} → {spec.target}",
            evaluation=evaluation_bundle,
            extra={
                "train_spec": spec.key(),
                "holdout_metrics": holdout,
                **({"parent": parent} if parent else {}),
                **({"run": run} if run is not None else {}),
            },
        )

    def _evaluation_bundle(self, token: str, result: CVResult) -> dict[str, Any]:
        bundle: dict[str, Any] = {"summary": result.summary}
        if result.task == "binary" and result.oof_scores is not None:
            curves = evaluation.roc_pr_curves(result.folds, result.classes[1])
            grid = np.quantile(result.oof_scores, np.linspace(0, 1, 51))
            view = self.threshold_view(token)
            bundle.update(
                roc={"fpr": curves["grid"], "tpr": curves["mean_tpr"], "auc": curves["auc_mean"]},
                pr={
                    "recall": curves["grid"],
                    "precision": curves["mean_precision"],
                    "ap": curves["ap_mean"],
                    "prevalence": curves["prevalence"],
                },
                confusion_by_threshold=[{"threshold": float(t), **view.confusion(float(t))} for t in grid],
            )
        return bundle
