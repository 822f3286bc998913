"""Benchmarks: ``python -m bench [suite ...]`` prints a table and writes bench/results/<suite>.json.

Every figure is measured in the same run as its baseline (raw pandas / scikit-learn doing the same
work in-process), reported as a ratio with median, min and max over repetitions.
"""
