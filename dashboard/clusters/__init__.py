"""Clusters: preparation, algorithms, scores and profiles, the k sweep, RFM, and the caching service."""
