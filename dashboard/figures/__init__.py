"""Plotly figure builders, one module per page: they take plain results and return figures."""
