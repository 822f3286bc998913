"""Train and evaluate: the estimator catalog, train specs, streaming cross-validation, evaluation curves,
insights, hyperparameter search, and the service that caches and saves them."""
