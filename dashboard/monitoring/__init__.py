"""Monitoring: the prediction log and feedback (``log``), drift between training and recent data
(``drift``), re-verification on fresh labelled rows (``verify``) and retraining with lineage (``service``)."""

from dashboard.monitoring.log import PredictionLog

__all__ = ["PredictionLog"]
