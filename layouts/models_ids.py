"""Component ids declared beside their page (one class per page, as webviz-config's views do), each
``<page>-<element>-<kind>``: layouts, callbacks and tests use these constants, never literal ids."""


class ModelsIds:
    """Component ids of Models (/models)."""

    GRID = "models-grid"
    CARD = "models-card"
    SELECTED_STORE = "models-selected-store"  # {"name": ..., "version": ...}
    COMPARE_DROPDOWN = "models-compare-dropdown"
    COMPARE_TABLE = "models-compare-table"
    ALIAS_INPUT = "models-alias-input"
    ALIAS_BUTTON = "models-alias-button"
    DELETE_CONFIRM = "models-delete-confirm"
    DELETE_BUTTON = "models-delete-button"
    DOWNLOAD_BUTTON = "models-download-button"
    DOWNLOAD = "models-download"
    ACTION_ALERT = "models-action-alert"
    CORRUPT_ALERT = "models-corrupt-alert"
    EXPORT_LINK = "models-export-link"  # the chosen card as one offline HTML file (GET /api/export)
    OPEN_PREDICT_LINK = "models-open-predict-link"

    # controls that change saved data: hidden from viewers, their callbacks refused to a viewer (web.auth)
    WRITES = (ALIAS_BUTTON, DELETE_CONFIRM)


class MonitorIds:
    """Component ids of the Models page's monitoring card (the selected version's log, drift, re-verify,
    retrain)."""

    SOURCE = "monitor-source-dropdown"
    UPLOAD = "monitor-upload"
    UPLOAD_RECEIVED = "monitor-upload-received-store"
    UPLOAD_ALERT = "monitor-upload-alert"
    MESSAGES = "monitor-messages-alert"
    TABS = "monitor-tabs"
    LOG_TOGGLE = "monitor-log-toggle-button"
    LOG_REFRESH = "monitor-log-refresh-button"
    LOG_GRID = "monitor-log-grid"
    LOG_DOWNLOAD_BUTTON = "monitor-log-download-button"
    LOG_DOWNLOAD = "monitor-log-download"
    FEEDBACK_UPLOAD = "monitor-feedback-upload"
    FEEDBACK_RECEIVED = "monitor-feedback-received-store"
    FEEDBACK_ALERT = "monitor-feedback-alert"
    VERIFY_BUTTON = "monitor-verify-button"
    VERIFY_RESULT = "monitor-verify-result"
    HISTORY = "monitor-history"
    DRIFT_BUTTON = "monitor-drift-button"
    DRIFT_STORE = "monitor-drift-store"
    DRIFT_TABLE = "monitor-drift-table"
    DRIFT_COLUMN = "monitor-drift-column-dropdown"
    DRIFT_GRAPH = "monitor-drift-graph"
    DRIFT_GRAPH_BLOCK = "monitor-drift-graph-block"  # built when the Drift tab is first opened
    RETRAIN_UNION = "monitor-retrain-union-checkbox"
    RETRAIN_BUTTON = "monitor-retrain-button"
    RETRAIN_CANCEL = "monitor-retrain-cancel-button"
    RETRAIN_PROGRESS = "monitor-retrain-progress"
    RETRAIN_RESULT = "monitor-retrain-result"

    # controls that change saved data: hidden from viewers, their callbacks refused to a viewer (web.auth)
    WRITES = (LOG_TOGGLE, UPLOAD_RECEIVED, FEEDBACK_RECEIVED, VERIFY_BUTTON, RETRAIN_BUTTON)
