"""The REST API: one module per resource with its OpenAPI paths beside, schemas and HTTP helpers."""
