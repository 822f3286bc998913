"""Component ids declared beside their page (one class per page, as webviz-config's views do), each
``<page>-<element>-<kind>``: layouts, callbacks and tests use these constants, never literal ids."""


class ExplorerIds:
    """Component ids of Explore data (/data)."""

    DATASET_DROPDOWN = "explorer-dataset-dropdown"
    DATASET_INFO = "explorer-dataset-info"
    OVERVIEW = "explorer-overview"
    PROFILE_TABLE = "explorer-profile-table"
    PROFILE_GRID = "explorer-profile-grid"
    COLUMN_DROPDOWN = "explorer-column-dropdown"
    SPLIT_DROPDOWN = "explorer-split-dropdown"
    DISTRIBUTION_GRAPH = "explorer-distribution-graph"
    CORRELATION_GRAPH = "explorer-correlation-graph"
    CORRELATION_PAIRS = "explorer-correlation-pairs"  # the strongest pairs, for a dataset too wide for one heatmap
    X_DROPDOWN = "explorer-x-dropdown"
    Y_DROPDOWN = "explorer-y-dropdown"
    COLOR_DROPDOWN = "explorer-color-dropdown"
    SCATTER_GRAPH = "explorer-scatter-graph"
    SCATTER_NOTE = "explorer-scatter-note"
    GRID = "explorer-grid"
    ERROR_ALERT = "explorer-error-alert"
    PERMALINK_LINK = "explorer-permalink-link"
    EXPORT_LINK = "explorer-export-link"  # this view as one offline HTML file (GET /api/export)
    EMBED_CODE = "explorer-embed-code"
    UPLOAD = "explorer-upload"
    UPLOAD_RECEIVED = "explorer-upload-received"  # {token, filename, size} of a file the server holds
    UPLOAD_NAME_INPUT = "explorer-upload-name-input"
    UPLOAD_ALERT = "explorer-upload-alert"
    DELETE_BUTTON = "explorer-delete-button"
    DELETE_CONFIRM = "explorer-delete-confirm"
    GRID_CONTAINER = "explorer-grid-container"
    # Blocks below the first screen, built when scrolled near (layouts/common.mounted_when_near)
    CORRELATION_BLOCK = "explorer-correlation-block"
    PROFILE_BLOCK = "explorer-profile-block"
    ROWS_BLOCK = "explorer-rows-block"

    # controls that change saved data: hidden from viewers, their callbacks refused to a viewer (web.auth)
    WRITES = (UPLOAD_RECEIVED, DELETE_CONFIRM)
