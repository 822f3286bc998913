"""The job layer: the memo of derived results, locks, the async job queue, Celery, fork safety."""
