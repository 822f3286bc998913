"""Train page callbacks: controls follow the data, cross-validation runs in the background and streams
each fold, result views and threshold/cost views read the cached result (never refit), save."""

from __future__ import annotations

from html import escape as html_escape
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from callbacks.train_form import PARAM_CONTROLS, SPEC_STATES, TRAIN_FORM, spec_from_controls
from callbacks.widgets import QueryField, background_run, bind_export_link, bind_permalink
from dashboard.errors import FieldError, ResultExpired, user_message
from dashboard.figures.base import message_figure
from dashboard.figures.train import (
    calibration_figure,
    confusion_figure,
    cost_figure,
    pr_figure,
    predicted_vs_actual_figure,
    residual_histogram,
    residuals_figure,
    roc_figure,
)
from dashboard.services import Services
from dashboard.train import evaluation
from dashboard.train.catalog import estimator_spec
from dashboard.train.spec import TrainSpec, infer_task
from layouts.common import SHOWN, UNSHOWN, alert, error_alert, feature_options, left_out_note
from layouts.train_form import model_options, param_controls
from layouts.train_ids import CompareIds, ShapIds, TrainIds
from layouts.train_views import fold_table, summary_view
from model_store.lazy import lazy_module

np = lazy_module("numpy")

PLOT_POINTS = 5000


def _curves(folds, positive) -> tuple[Any, Any]:
    curves = evaluation.roc_pr_curves(folds, positive)
    return roc_figure(curves), pr_figure(curves)


def register(app, services: Services) -> None:
    training = services.training

    @app.callback(
        Output(TrainIds.TARGET_DROPDOWN, "options"),
        Output(TrainIds.TARGET_DROPDOWN, "value"),
        Output(TrainIds.FEATURES_DROPDOWN, "options"),
        Output(TrainIds.FEATURES_DROPDOWN, "value"),
        Output(TrainIds.FEATURES_NOTE, "children"),
        Input(TrainIds.DATASET_DROPDOWN, "value"),
        Input(TrainIds.TARGET_DROPDOWN, "value"),
        prevent_initial_call=True,
    )
    def choose_data(dataset, target):
        """A new dataset starts from its own target (an upload has none: the user chooses); a new target
        gets the defaults for it (identifiers and its own recodings left out, with the reasons)."""
        if not services.catalog.exists(dataset):
            raise PreventUpdate
        kinds = services.explorer.kinds(dataset)
        if ctx.triggered_id == TrainIds.DATASET_DROPDOWN or target not in kinds:
            info_target = services.catalog.info(dataset).target
            target = info_target if info_target in kinds else None
        defaults = services.explorer.feature_defaults(dataset, target)
        options = feature_options(kinds, target=target)
        return list(kinds), target, options, defaults.features, left_out_note(defaults.left_out, defaults.features)

    @app.callback(
        Output(TrainIds.MODEL_DROPDOWN, "options"),
        Output(TrainIds.MODEL_DROPDOWN, "value"),
        Input(TrainIds.TARGET_DROPDOWN, "value"),
        Input(TrainIds.TASK_RADIO, "value"),
        State(TrainIds.DATASET_DROPDOWN, "value"),
        State(TrainIds.MODEL_DROPDOWN, "value"),
        prevent_initial_call=True,
    )
    def choose_task(target, task, dataset, model):
        if not services.catalog.exists(dataset) or target is None:
            raise PreventUpdate
        if task == "auto":
            frame = services.catalog.load(dataset)
            task = infer_task(frame[target].dropna(), services.explorer.kinds(dataset).get(target, ""))
        options = model_options(task)
        return options, model if model in {o["value"] for o in options} else options[0]["value"]

    @app.callback(
        Output(TrainIds.PARAMS, "children"), Input(TrainIds.MODEL_DROPDOWN, "value"), prevent_initial_call=True
    )
    def choose_model(model):
        try:
            return param_controls(estimator_spec(model))
        except ValueError:
            raise PreventUpdate from None

    @app.callback(
        Output(TrainIds.PIPELINE, "srcDoc"),
        Input(TrainIds.RESULT_STORE, "data"),
        Input(TrainIds.MODEL_DROPDOWN, "value"),
        Input(TrainIds.FEATURES_DROPDOWN, "value"),
        Input(TrainIds.TARGET_DROPDOWN, "value"),
        Input(TrainIds.TEXT_ANALYZER, "value"),
        *SPEC_STATES,
    )
    def show_pipeline(result, _model, _features, _target, _analyzer, *controls):
        """The form's pipeline as scikit-learn draws it, once the result panels it sits in are shown (a page
        load without a result builds no pipeline)."""
        if not result:
            raise PreventUpdate
        try:
            prepared = training.prepare(spec_from_controls(*controls))
        except Exception as exc:  # named errors are shown as they are, any other only logged
            message = html_escape(user_message(exc, "pipeline", "building the pipeline"))
            return f"<p style='font-family:sans-serif;color:#842029'>{message}</p>"
        from sklearn.utils import estimator_html_repr  # on first use: the app starts without scikit-learn

        return estimator_html_repr(prepared.build())

    @app.callback(
        Output(TrainIds.RESULT_STORE, "data"),
        Output(TrainIds.MESSAGES, "children"),
        Input(TrainIds.RUN_BUTTON, "n_clicks"),
        *SPEC_STATES,
        **background_run(
            TrainIds.RUN_BUTTON,
            TrainIds.CANCEL_BUTTON,
            progress=[
                Output(TrainIds.FOLD_TABLE, "children"),
                Output(TrainIds.ROC_GRAPH, "figure"),
                Output(TrainIds.PR_GRAPH, "figure"),
                Output(TrainIds.PROGRESS, "value"),
            ],
        ),
        prevent_initial_call=True,
    )
    def run(set_progress, _clicks, *controls):
        try:
            spec = spec_from_controls(*controls)
            prepared = training.prepare(spec)
            seen: list[dict[str, Any]] = []

            def on_fold(fold, done):
                seen.append(fold)
                curves = _curves(seen, prepared.classes[1]) if prepared.task == "binary" else (no_update, no_update)
                set_progress((fold_table(seen, prepared.task), *curves, 100 * done // spec.cv.folds))

            token, result, cached = training.run(spec, on_fold=on_fold)
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return None, error_alert(exc)
        note = alert("Identical run found in the cache: no model was fitted.", "info") if cached else None
        return {"token": token, "task": result.task, "spec": spec.key()}, note

    @app.callback(
        output={
            "summary": Output(TrainIds.SUMMARY, "children"),
            "folds": Output(TrainIds.FOLD_TABLE, "children", allow_duplicate=True),
            "roc": Output(TrainIds.ROC_GRAPH, "figure", allow_duplicate=True),
            "pr": Output(TrainIds.PR_GRAPH, "figure", allow_duplicate=True),
            "calibration": Output(TrainIds.CALIBRATION_GRAPH, "figure"),
            "classification_hidden": Output(TrainIds.CLASSIFICATION_PANEL, "hidden"),
            "pr_hidden": Output(TrainIds.PR_PANEL, "hidden"),
            "binary_hidden": Output(TrainIds.BINARY_PANEL, "hidden"),
            "regression_hidden": Output(TrainIds.REGRESSION_PANEL, "hidden"),
            "predicted": Output(TrainIds.PREDICTED_GRAPH, "figure"),
            "residuals": Output(TrainIds.RESIDUALS_GRAPH, "figure"),
            "residual_histogram": Output(TrainIds.RESIDUAL_HIST_GRAPH, "figure"),
            "threshold_min": Output(TrainIds.THRESHOLD_SLIDER, "min"),
            "threshold_max": Output(TrainIds.THRESHOLD_SLIDER, "max"),
            "threshold": Output(TrainIds.THRESHOLD_SLIDER, "value"),
            "save_disabled": Output(TrainIds.SAVE_BUTTON, "disabled"),
            "progress": Output(TrainIds.PROGRESS, "value", allow_duplicate=True),
        },
        inputs={"stored": Input(TrainIds.RESULT_STORE, "data")},
        state={"current_threshold": State(TrainIds.THRESHOLD_SLIDER, "value")},
        prevent_initial_call="initial_duplicate",  # a permalink to a cached run opens on its result
    )
    def show_result(stored, current_threshold):
        if not stored:
            raise PreventUpdate
        try:
            result = training.result((stored or {}).get("token"))
        except ResultExpired:
            raise PreventUpdate from None
        blank = message_figure("")
        view = {
            "summary": summary_view(result),
            "folds": fold_table(result.folds, "regression" if result.task == "regression" else "classification"),
            **dict.fromkeys(("roc", "pr", "calibration", "predicted", "residuals", "residual_histogram"), blank),
            "classification_hidden": False,
            "pr_hidden": False,
            "binary_hidden": False,
            "regression_hidden": True,
            "threshold_min": 0,
            "threshold_max": 1,
            "threshold": 0.5,
            "save_disabled": False,
            "progress": 100,
        }
        if result.task == "regression":
            take = np.random.default_rng(0).permutation(len(result.y))[:PLOT_POINTS]
            actual, predicted = result.y[take].astype(float), result.oof_pred[take].astype(float)
            view.update(
                classification_hidden=True,
                regression_hidden=False,
                predicted=predicted_vs_actual_figure(actual, predicted),
                residuals=residuals_figure(predicted, actual - predicted),
                residual_histogram=residual_histogram(actual - predicted),
            )
        elif result.task == "binary" and result.oof_scores is not None:
            view["roc"], view["pr"] = _curves(result.folds, result.classes[1])
            probability = result.score_kind == "probability"
            view["calibration"] = (
                calibration_figure(
                    evaluation.calibration(result.y, result.oof_scores, result.classes[1], folds=result.folds)
                )
                if probability
                else message_figure("calibration needs probabilities")
            )
            scores = (float(result.oof_scores.min()), float(result.oof_scores.max()))
            low, high = (0.0, 1.0) if probability else (round(scores[0], 3), round(scores[1], 3))
            keep = current_threshold is not None and low <= current_threshold <= high
            view.update(
                threshold_min=low,
                threshold_max=high,
                threshold=current_threshold if keep else (0.5 if probability else 0.0),
            )
        else:  # multiclass: the argmax confusion matrix where the ROC curve would be, no binary-only views
            matrix = evaluation.confusion_matrix(result.y, result.oof_pred, result.classes)
            labels = [str(c) for c in result.classes]
            view["roc"] = confusion_figure(matrix, labels, "Confusion matrix (argmax)")
            view.update(pr_hidden=True, binary_hidden=True)
        return view

    @app.callback(
        Output(TrainIds.CONFUSION_GRAPH, "figure"),
        Output(TrainIds.COST_GRAPH, "figure"),
        Input(TrainIds.THRESHOLD_SLIDER, "value"),
        Input(TrainIds.COST_FP_INPUT, "value"),
        Input(TrainIds.COST_FN_INPUT, "value"),
        Input(TrainIds.BENEFIT_TP_INPUT, "value"),
        Input(TrainIds.RESULT_STORE, "data"),
    )
    def threshold(value, cost_fp, cost_fn, benefit_tp, stored):
        if not stored or stored.get("task") != "binary" or value is None:
            raise PreventUpdate
        try:
            view = training.threshold(
                stored["token"], float(value), float(cost_fp or 0), float(cost_fn or 0), float(benefit_tp or 0)
            )
            classes = training.result(stored["token"]).classes
        except (ResultExpired, FieldError):
            raise PreventUpdate from None
        c = view["confusion"]
        labels = [str(classes[0]), str(classes[1])]
        matrix = [[c["tn"], c["fp"]], [c["fn"], c["tp"]]]
        return (
            confusion_figure(matrix, labels, f"Confusion at threshold {float(value):.2f}"),
            cost_figure(view["curve"], float(value)),
        )

    @app.callback(
        Output(TrainIds.SAVE_ALERT, "children"),
        Input(TrainIds.SAVE_BUTTON, "n_clicks"),
        State(TrainIds.SAVE_NAME_INPUT, "value"),
        State(TrainIds.RESULT_STORE, "data"),
        **background_run(TrainIds.SAVE_BUTTON),  # refits the pipeline on every CV row
        prevent_initial_call=True,
    )
    def save(_clicks, name, stored):
        if not stored:
            raise PreventUpdate
        try:
            spec = TrainSpec(**stored["spec"])
            version = training.save(spec, stored["token"], (name or "").strip())
        except Exception as exc:  # named errors are shown as they are, any other only logged
            return error_alert(exc)
        link = "/predict?" + urlencode({"model": version.name, "version": version.version})
        return dbc.Alert(
            [
                f"Saved {version.name} v{version.version}. ",
                html.A("Open it in Predict", href=link, id=TrainIds.OPEN_PREDICT_LINK),
            ],
            color="success",
            className="py-2 small",
        )

    # Result views appear with a result (a page of empty placeholders read as broken), and Run brings the
    # streaming folds into view: they arrive below the fold otherwise.
    app.clientside_callback(
        f"""function (result) {{
            var panels = result ? "{SHOWN}" : "{UNSHOWN}";
            return [panels, !!result, panels];
        }}""",
        Output(TrainIds.RESULT_PANELS, "value"),
        Output(TrainIds.FIRST_RUN_NOTE, "hidden"),
        Output(TrainIds.SHAP_SECTION, "value"),
        Input(TrainIds.RESULT_STORE, "data"),
    )
    bind_export_link(app, TrainIds.EXPORT_LINK, TrainIds.PERMALINK_LINK)
    app.clientside_callback(  # n-gram settings only when a chosen feature is text (options carry the kind)
        """function (chosen, options) {
            var text = (options || []).filter(function (o) { return o.title === "text"; }).map(function (o) {
                return o.value;
            });
            return !(chosen || []).some(function (c) { return text.indexOf(c) !== -1; });
        }""",
        Output(TrainIds.TEXT_CONTROLS, "hidden"),
        Input(TrainIds.FEATURES_DROPDOWN, "value"),
        Input(TrainIds.FEATURES_DROPDOWN, "options"),
    )
    app.clientside_callback(
        """function (clicks) {
            var folds = document.getElementById("train-fold-table");
            if (clicks && folds) { folds.closest(".card").scrollIntoView({behavior: "smooth", block: "start"}); }
            return clicks || 0;
        }""",
        Output(TrainIds.SCROLLED, "data"),
        Input(TrainIds.RUN_BUTTON, "n_clicks"),
        prevent_initial_call=True,
    )

    bind_permalink(
        app,
        TrainIds.PERMALINK_LINK,
        [
            *TRAIN_FORM,
            QueryField("threshold", TrainIds.THRESHOLD_SLIDER),
            QueryField("compare", CompareIds.MODELS_DROPDOWN),
            QueryField("by", TrainIds.SUBGROUP_BY),
            QueryField("shap", ShapIds.ROWS_INPUT),
        ],
        params_id=PARAM_CONTROLS,
    )
