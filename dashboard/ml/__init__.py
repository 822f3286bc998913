"""Machine-learning services: features, demo models, serving (prediction and batch scoring)."""
