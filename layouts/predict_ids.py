"""Component ids declared beside their page (one class per page, as webviz-config's views do), each
``<page>-<element>-<kind>``: layouts, callbacks and tests use these constants, never literal ids."""


class PredictIds:
    """Component ids of Predict (/predict)."""

    MODEL_DROPDOWN = "predict-model-dropdown"
    VERSION_DROPDOWN = "predict-version-dropdown"
    FORM = "predict-form"
    FORM_FIELDS = "predict-form-fields"  # the inputs shown (a wide model shows the ones picked)
    FIELD_PICKER = "predict-field-picker"  # a wide model's fields to edit
    FORM_VALUES = "predict-form-values"  # every field's value, the ones not shown included
    SUBMIT_BUTTON = "predict-submit-button"
    RESULT = "predict-result"
    PROBABILITY_GRAPH = "predict-probability-graph"
    PROBABILITY_PANEL = "predict-probability-panel"  # shown with probabilities or scores
    JSON = "predict-json"
    EXPLAIN_GRAPH = "predict-explain-graph"
    EXPLAIN_PANEL = "predict-explain-panel"  # shown with an explanation
    TREE_PATH = "predict-tree-path"  # a tree model's path for the row
    SHAP_DATA = "predict-shap-data"  # the dataset whose rows the stored version's SHAP summary explains
    SHAP_ROWS = "predict-shap-rows"
    SHAP_BUTTON = "predict-shap-button"
    SHAP_CANCEL = "predict-shap-cancel"
    SHAP_PROGRESS = "predict-shap-progress"
    SHAP_MESSAGES = "predict-shap-messages"
    SHAP_PANEL = "predict-shap-panel"
    SHAP_NOTE = "predict-shap-note"
    SHAP_SUMMARY_GRAPH = "predict-shap-summary-graph"
    SHAP_BAR_GRAPH = "predict-shap-bar-graph"
    WHAT_IF = "predict-what-if"
    WHAT_IF_STORE = "predict-what-if-store"
    MESSAGES = "predict-messages"
    BATCH_UPLOAD = "predict-batch-upload"
    BATCH_UPLOAD_RECEIVED = "predict-batch-upload-received"
    BATCH_PROGRESS = "predict-batch-progress"
    BATCH_CANCEL_BUTTON = "predict-batch-cancel-button"
    BATCH_RESULT = "predict-batch-result"
    BATCH_DOWNLOAD_BUTTON = "predict-batch-download-button"
    BATCH_DOWNLOAD = "predict-batch-download"
    BATCH_RESULT_STORE = "predict-batch-result-store"

    @staticmethod
    def field(name: object) -> dict[str, object]:
        """Pattern-matching id of the form input for schema field ``name`` (callbacks pass ``dash.ALL``)."""
        return {"type": "predict-field", "name": name}
