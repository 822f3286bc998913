"""Component ids declared beside their page (one class per page, as webviz-config's views do), each
``<page>-<element>-<kind>``: layouts, callbacks and tests use these constants, never literal ids."""


class HomeIds:
    """Component ids of Home (/)."""

    DATASET_CARDS = "home-dataset-cards"
    MODEL_CARDS = "home-model-cards"
    START_HERE = "home-start-here-card"
