"""Recommendations: interactions from a mapped dataset, recommenders on the sparse user-item matrix,
per-user holdout evaluation, and the service that caches and saves them. Nothing here builds a dense
users x items matrix: scoring runs over bounded blocks of users."""
