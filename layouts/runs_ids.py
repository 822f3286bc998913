"""Component ids of /runs."""


class RunsIds:
    SEARCH = "runs-search-input"  # quick search over names, tags, notes and parameters
    STATUS = "runs-status-dropdown"
    COLUMNS = "runs-columns-dropdown"  # the grid's columns shown
    HIDDEN = "runs-hidden-store"  # the columns not shown (the permalink's hide=; nothing hidden, nothing written)
    GRID_HOLDER = "runs-grid-holder"  # the grid, drawn again when the search or the status changes
    GRID = "runs-grid"
    SELECTED = "runs-selected-store"  # the ticked run ids, in the order ticked (the permalink's ids=)
    COMPARE = "runs-compare"
    EDITOR = "runs-editor"  # tags and note of the one ticked run
    TAGS = "runs-tags-input"
    NOTE = "runs-note-input"
    SAVE_BUTTON = "runs-save-button"
    MODEL_NAME = "runs-model-name-input"  # the model the ticked run is saved as
    PROMOTE_BUTTON = "runs-promote-button"
    PROMOTE_ALERT = "runs-promote-alert"
    REVISION = "runs-revision-store"  # the ticked run's revision when read: a save on an older one is refused
    SAVED = "runs-saved-store"  # bumped by a save: the grid is drawn again with the new tags
    ALERT = "runs-alert"
    PERMALINK_LINK = "runs-permalink-link"
    # the leaderboard of one dataset and target, and "try every model" filling it
    BOARD_DATASET = "runs-board-dataset-dropdown"
    BOARD_TARGET = "runs-board-target-dropdown"
    BOARD = "runs-board"
    BOARD_BUDGET = "runs-board-budget-input"
    TRY_BUTTON = "runs-try-every-model-button"
    TRY_CANCEL = "runs-try-cancel-button"
    TRY_PROGRESS = "runs-try-progress"
    TRY_ALERT = "runs-try-alert"

    WRITES = (SAVE_BUTTON, PROMOTE_BUTTON, TRY_BUTTON)
