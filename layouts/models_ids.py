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
    OPEN_PREDICT_LINK = "models-open-predict-link"
