"""Querying stored models: records (forms, REST), batches (CSV, async jobs), and per-task adapters."""
