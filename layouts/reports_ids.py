"""Component ids of /reports and of the "Pin to a report" control every exported page carries."""


class ReportsIds:
    """Component ids of /reports."""

    LOCATION = "reports-location"  # refresh="callback-nav": a save or create draws the page again from its link
    LIST = "reports-list"
    NEW_TITLE = "reports-new-title-input"
    CREATE_BUTTON = "reports-create-button"
    ALERT = "reports-alert"
    EDITOR = "reports-editor"  # the chosen report: title, views, save, export
    TITLE = "reports-title-input"
    DRAFT = "reports-draft-store"  # {id, version, views: [{url, note}]} as edited, saved by SAVE_BUTTON
    VIEWS = "reports-views"
    SAVE_BUTTON = "reports-save-button"
    DELETE_BUTTON = "reports-delete-button"
    DELETE_CONFIRM = "reports-delete-confirm"
    EXPORT_HTML = "reports-export-html-link"
    EXPORT_PDF = "reports-export-pdf-link"
    NOTE = "reports-view-note"  # pattern-matching: {"type": NOTE, "index": i}
    MOVE = "reports-view-move"  # pattern-matching: {"type": MOVE, "index": i, "step": -1 | 1 | 0 (remove)}

    WRITES = (CREATE_BUTTON, SAVE_BUTTON, DELETE_CONFIRM)


class PinIds:
    """The pin control of one page (``page``: "data" or "train"), in its share panel."""

    def __init__(self, page: str) -> None:
        self.REPORT = f"{page}-pin-report-dropdown"
        self.NOTE = f"{page}-pin-note-input"
        self.BUTTON = f"{page}-pin-button"
        self.ALERT = f"{page}-pin-alert"


DATA_PIN = PinIds("data")
TRAIN_PIN = PinIds("train")
CLUSTERS_PIN = PinIds("clusters")
RECOMMEND_PIN = PinIds("recommend")
MODELS_PIN = PinIds("models")
NEW_REPORT = "__new__"  # the pin dropdown's "a new report" choice
