"""Runs: every experiment computed on purpose (a cross-validation, a search candidate...), kept in a SQL
database (SQLite by default, PostgreSQL when scaled out) so it can be listed, filtered, tagged, compared and
reopened long after the page that ran it is gone."""
