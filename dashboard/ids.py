"""Component ids: ``<page>-<element>-<kind>``. Layouts, callbacks and tests import these."""

# Shell
SHELL_NAVBAR = "shell-navbar"
SHELL_DATASETS_STORE = "shell-datasets-store"  # bumped when the dataset list changes

# Home
HOME_DATASET_CARDS = "home-dataset-cards"

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
