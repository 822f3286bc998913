"""Component ids: ``<page>-<element>-<kind>``. Layouts, callbacks and tests import these."""

# Shell
SHELL_NAVBAR = "shell-navbar"
SHELL_DATASETS_STORE = "shell-datasets-store"  # bumped when the dataset list changes

# Home
HOME_DATASET_CARDS = "home-dataset-cards"
HOME_MODEL_CARDS = "home-model-cards"

# Explorer (/data)
EXPLORER_DATASET_DROPDOWN = "explorer-dataset-dropdown"
EXPLORER_DATASET_INFO = "explorer-dataset-info"
EXPLORER_OVERVIEW = "explorer-overview"
EXPLORER_PROFILE_TABLE = "explorer-profile-table"
EXPLORER_COLUMN_DROPDOWN = "explorer-column-dropdown"
EXPLORER_SPLIT_DROPDOWN = "explorer-split-dropdown"
EXPLORER_DISTRIBUTION_GRAPH = "explorer-distribution-graph"
EXPLORER_CORRELATION_GRAPH = "explorer-correlation-graph"
EXPLORER_X_DROPDOWN = "explorer-x-dropdown"
EXPLORER_Y_DROPDOWN = "explorer-y-dropdown"
EXPLORER_COLOR_DROPDOWN = "explorer-color-dropdown"
EXPLORER_SCATTER_GRAPH = "explorer-scatter-graph"
EXPLORER_SCATTER_NOTE = "explorer-scatter-note"
EXPLORER_GRID = "explorer-grid"
EXPLORER_ERROR_ALERT = "explorer-error-alert"
EXPLORER_PERMALINK_LINK = "explorer-permalink-link"
EXPLORER_EMBED_CODE = "explorer-embed-code"
EXPLORER_UPLOAD = "explorer-upload"
EXPLORER_UPLOAD_NAME_INPUT = "explorer-upload-name-input"
EXPLORER_UPLOAD_ALERT = "explorer-upload-alert"
EXPLORER_DELETE_BUTTON = "explorer-delete-button"
EXPLORER_DELETE_CONFIRM = "explorer-delete-confirm"
EXPLORER_GRID_CONTAINER = "explorer-grid-container"

# Models (/models)
MODELS_GRID = "models-grid"
MODELS_CARD = "models-card"
MODELS_SELECTED_STORE = "models-selected-store"  # {"name": ..., "version": ...}
MODELS_COMPARE_DROPDOWN = "models-compare-dropdown"
MODELS_COMPARE_TABLE = "models-compare-table"
MODELS_ALIAS_INPUT = "models-alias-input"
MODELS_ALIAS_BUTTON = "models-alias-button"
MODELS_DELETE_CONFIRM = "models-delete-confirm"
MODELS_DELETE_BUTTON = "models-delete-button"
MODELS_DOWNLOAD_BUTTON = "models-download-button"
MODELS_DOWNLOAD = "models-download"
MODELS_ACTION_ALERT = "models-action-alert"
MODELS_REFRESH_INTERVAL = "models-refresh-interval"
MODELS_OPEN_PREDICT_LINK = "models-open-predict-link"

# Predict (/predict)
PREDICT_MODEL_DROPDOWN = "predict-model-dropdown"
PREDICT_VERSION_DROPDOWN = "predict-version-dropdown"
PREDICT_FORM = "predict-form"
PREDICT_SUBMIT_BUTTON = "predict-submit-button"
PREDICT_RESULT = "predict-result"
PREDICT_PROBABILITY_GRAPH = "predict-probability-graph"
PREDICT_JSON = "predict-json"
PREDICT_MESSAGES = "predict-messages"
PREDICT_BATCH_UPLOAD = "predict-batch-upload"
PREDICT_BATCH_PROGRESS = "predict-batch-progress"
PREDICT_BATCH_CANCEL_BUTTON = "predict-batch-cancel-button"
PREDICT_BATCH_RESULT = "predict-batch-result"
PREDICT_BATCH_DOWNLOAD_BUTTON = "predict-batch-download-button"
PREDICT_BATCH_DOWNLOAD = "predict-batch-download"
PREDICT_BATCH_RESULT_STORE = "predict-batch-result-store"


def predict_field(name: object) -> dict[str, object]:
    """Pattern-matching id of the form input for schema field ``name`` (callbacks pass ``dash.ALL``)."""
    return {"type": "predict-field", "name": name}


# Train (/train)
TRAIN_DATASET_DROPDOWN = "train-dataset-dropdown"
TRAIN_TARGET_DROPDOWN = "train-target-dropdown"
TRAIN_TASK_RADIO = "train-task-radio"
TRAIN_FEATURES_DROPDOWN = "train-features-dropdown"
TRAIN_MODEL_DROPDOWN = "train-model-dropdown"
TRAIN_PARAMS = "train-params"
TRAIN_TEXT_ANALYZER = "train-text-analyzer"
TRAIN_TEXT_NGRAM = "train-text-ngram"
TRAIN_FOLDS_INPUT = "train-folds-input"
TRAIN_SEED_INPUT = "train-seed-input"
TRAIN_OPTIONS_CHECKLIST = "train-options-checklist"
TRAIN_TEST_FRACTION_INPUT = "train-test-fraction-input"
TRAIN_RUN_BUTTON = "train-run-button"
TRAIN_CANCEL_BUTTON = "train-cancel-button"
TRAIN_PROGRESS = "train-progress"
TRAIN_MESSAGES = "train-messages"
TRAIN_PIPELINE = "train-pipeline"
TRAIN_FOLD_TABLE = "train-fold-table"
TRAIN_SUMMARY = "train-summary"
TRAIN_ROC_GRAPH = "train-roc-graph"
TRAIN_PR_GRAPH = "train-pr-graph"
TRAIN_RESULT_STORE = "train-result-store"
TRAIN_CLASSIFICATION_PANEL = "train-classification-panel"
TRAIN_REGRESSION_PANEL = "train-regression-panel"
TRAIN_THRESHOLD_SLIDER = "train-threshold-slider"
TRAIN_COST_FP_INPUT = "train-cost-fp-input"
TRAIN_COST_FN_INPUT = "train-cost-fn-input"
TRAIN_BENEFIT_TP_INPUT = "train-benefit-tp-input"
TRAIN_CONFUSION_GRAPH = "train-confusion-graph"
TRAIN_COST_GRAPH = "train-cost-graph"
TRAIN_CALIBRATION_GRAPH = "train-calibration-graph"
TRAIN_PREDICTED_GRAPH = "train-predicted-graph"
TRAIN_RESIDUALS_GRAPH = "train-residuals-graph"
TRAIN_RESIDUAL_HIST_GRAPH = "train-residual-hist-graph"
TRAIN_SAVE_NAME_INPUT = "train-save-name-input"
TRAIN_SAVE_BUTTON = "train-save-button"
TRAIN_SAVE_ALERT = "train-save-alert"
TRAIN_PERMALINK_LINK = "train-permalink-link"


def train_param(name: object) -> dict[str, object]:
    """Pattern-matching id of a hyperparameter control (callbacks pass ``dash.ALL``)."""
    return {"type": "train-param", "name": name}
