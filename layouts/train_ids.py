"""Component ids declared beside their page (one class per page, as webviz-config's views do), each
``<page>-<element>-<kind>``: layouts, callbacks and tests use these constants, never literal ids."""


class TrainIds:
    """Component ids of Train (/train)."""

    DATASET_DROPDOWN = "train-dataset-dropdown"
    RESULT_PANELS = "train-result-panels"  # shown once there is a result to show
    FIRST_RUN_NOTE = "train-first-run-note"
    TEXT_CONTROLS = "train-text-controls"  # shown when a chosen feature is text
    SCROLLED = "train-scrolled"  # a clientside callback's output: the folds brought into view on Run
    TARGET_DROPDOWN = "train-target-dropdown"
    TASK_RADIO = "train-task-radio"
    FEATURES_DROPDOWN = "train-features-dropdown"
    FEATURES_NOTE = "train-features-note"
    MODEL_DROPDOWN = "train-model-dropdown"
    PARAMS = "train-params"
    TEXT_ANALYZER = "train-text-analyzer"
    TEXT_NGRAM = "train-text-ngram"
    FOLDS_INPUT = "train-folds-input"
    SEED_INPUT = "train-seed-input"
    OPTIONS_CHECKLIST = "train-options-checklist"
    TEST_FRACTION_INPUT = "train-test-fraction-input"
    RUN_BUTTON = "train-run-button"
    CANCEL_BUTTON = "train-cancel-button"
    PROGRESS = "train-progress"
    MESSAGES = "train-messages"
    PIPELINE = "train-pipeline"
    FOLD_TABLE = "train-fold-table"
    SUMMARY = "train-summary"
    ROC_GRAPH = "train-roc-graph"
    PR_GRAPH = "train-pr-graph"
    RESULT_STORE = "train-result-store"
    CLASSIFICATION_PANEL = "train-classification-panel"
    PR_PANEL = "train-pr-panel"  # binary only
    BINARY_PANEL = "train-binary-panel"  # threshold, cost and calibration: binary only
    REGRESSION_PANEL = "train-regression-panel"
    THRESHOLD_SLIDER = "train-threshold-slider"
    COST_FP_INPUT = "train-cost-fp-input"
    COST_FN_INPUT = "train-cost-fn-input"
    BENEFIT_TP_INPUT = "train-benefit-tp-input"
    CONFUSION_GRAPH = "train-confusion-graph"
    COST_GRAPH = "train-cost-graph"
    CALIBRATION_GRAPH = "train-calibration-graph"
    CALIBRATION_DROPDOWN = "train-calibration-dropdown"  # the form's: recalibrate the classifier's scores
    CALIBRATE_BUTTON = "train-calibrate-button"  # compare none / sigmoid / isotonic on the run's folds
    CALIBRATE_CANCEL = "train-calibrate-cancel"
    CALIBRATE_PROGRESS = "train-calibrate-progress"
    CALIBRATE_PANEL = "train-calibrate-panel"
    CALIBRATE_GRAPH = "train-calibrate-graph"
    CALIBRATE_TABLE = "train-calibrate-table"
    PREDICTED_GRAPH = "train-predicted-graph"
    RESIDUALS_GRAPH = "train-residuals-graph"
    RESIDUAL_HIST_GRAPH = "train-residual-hist-graph"
    SAVE_NAME_INPUT = "train-save-name-input"
    SAVE_BUTTON = "train-save-button"
    SAVE_ALERT = "train-save-alert"
    PERMALINK_LINK = "train-permalink-link"
    EXPORT_LINK = "train-export-link"  # this view as one offline HTML file (GET /api/export)
    NATIVE_GRAPH = "train-native-graph"
    NATIVE_LEVELS = "train-native-levels"
    PERMUTATION_GRAPH = "train-permutation-graph"
    PERMUTATION_PANEL = "train-permutation-panel"  # shown when permutation importance was computed
    TERMS = "train-terms"
    TERMS_TABLE = "train-terms-table"
    OPEN_PREDICT_LINK = "train-open-predict-link"
    TREE_PANEL = "train-tree-panel"  # shown for tree models
    TREE_INDEX = "train-tree-index"
    TREE_DEPTH = "train-tree-depth"
    TREE_GRAPH = "train-tree-graph"
    SHAP_SECTION = "train-shap-section"  # shown with the other result views
    SUBGROUP_BY = "train-subgroup-by"  # one or two dataset columns to split the out-of-fold rows by
    SUBGROUP_METRIC = "train-subgroup-metric"
    SUBGROUP_NOTES = "train-subgroup-notes"
    SUBGROUP_PANEL = "train-subgroup-panel"  # shown once a split is drawn
    SUBGROUP_GRAPH = "train-subgroup-graph"
    SUBGROUP_TABLE = "train-subgroup-table"

    @staticmethod
    def param(name: object) -> dict[str, object]:
        """Pattern-matching id of a hyperparameter control (callbacks pass ``dash.ALL``)."""
        return {"type": "train-param", "name": name}

    # controls that change saved data: hidden from viewers, their callbacks refused to a viewer (web.auth)
    WRITES = (SAVE_BUTTON,)


class InspectIds:
    """Component ids of the Train page's partial dependence and learning curve."""

    PDP_COLUMN = "inspect-pdp-column"
    PDP_BUTTON = "inspect-pdp-button"
    PDP_GRAPH = "inspect-pdp-graph"
    PDP_PANEL = "inspect-pdp-panel"  # graphs are shown once asked for: no empty slots
    CURVE_BUTTON = "inspect-curve-button"
    CURVE_GRAPH = "inspect-curve-graph"
    CURVE_PANEL = "inspect-curve-panel"
    MESSAGES = "inspect-messages"


class ShapIds:
    """Component ids of the Train page's global SHAP (summary, mean |SHAP|, dependence)."""

    ROWS_INPUT = "shap-rows-input"
    RUN_BUTTON = "shap-run-button"
    CANCEL_BUTTON = "shap-cancel-button"
    PROGRESS = "shap-progress"
    MESSAGES = "shap-messages"
    STORE = "shap-store"  # the run and row count whose summary is shown (the values stay in the cache)
    PANEL = "shap-panel"  # shown once a summary is drawn
    NOTE = "shap-note"
    SUMMARY_GRAPH = "shap-summary-graph"
    BAR_GRAPH = "shap-bar-graph"
    COLUMN = "shap-dependence-column"
    DEPENDENCE_GRAPH = "shap-dependence-graph"
    INTERACTIONS_BUTTON = "shap-interactions-button"  # tree models: exact interaction values on a small sample
    INTERACTIONS_PROGRESS = "shap-interactions-progress"
    INTERACTIONS_PANEL = "shap-interactions-panel"
    INTERACTIONS_GRAPH = "shap-interactions-graph"


class CompareIds:
    """Component ids of the Train page's model comparison."""

    MODELS_DROPDOWN = "compare-models-dropdown"
    RUN_BUTTON = "compare-run-button"
    CANCEL_BUTTON = "compare-cancel-button"
    PROGRESS = "compare-progress"
    MESSAGES = "compare-messages"
    RESULT_STORE = "compare-result-store"
    TABLE = "compare-table"
    ROC_GRAPH = "compare-roc-graph"
    PR_GRAPH = "compare-pr-graph"
    GRAPHS_PANEL = "compare-graphs-panel"  # shown with a comparison


class SearchIds:
    """Component ids of the Train page's hyperparameter search."""

    MODE_RADIO = "search-mode-radio"
    METRIC_DROPDOWN = "search-metric-dropdown"
    CANDIDATES_INPUT = "search-candidates-input"
    SEED_INPUT = "search-seed-input"
    PARAMS = "search-params"
    TUNE_CHECKLIST = "search-tune-checklist"
    RUN_BUTTON = "search-run-button"
    CANCEL_BUTTON = "search-cancel-button"
    PROGRESS = "search-progress"
    MESSAGES = "search-messages"
    TABLE = "search-table"
    GRAPH = "search-graph"
    GRAPH_PANEL = "search-graph-panel"  # shown from the first search on
    BEST = "search-best"
    USE_BEST_BUTTON = "search-use-best-button"
    RESULT_STORE = "search-result-store"
    BEST_SUMMARY = "search-best-summary"
    TPE_VIEWS = "search-tpe-views"
    HISTORY_GRAPH = "search-history-graph"
    IMPORTANCE_GRAPH = "search-importance-graph"

    @staticmethod
    def values(name: object) -> dict[str, object]:
        """Pattern-matching id of a search parameter's values text ('0.1, 1, 10' or 'low..high')."""
        return {"type": "search-values", "name": name}
