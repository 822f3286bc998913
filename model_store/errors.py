"""Model-store errors. Each message names what is wrong so the UI and the API can show it as is."""


class ModelStoreError(Exception):
    """Base class."""


class ModelNotFoundError(ModelStoreError, KeyError):
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "model not found"


class InvalidModelNameError(ModelStoreError, ValueError):
    pass


class UnsafeArtifactError(ModelStoreError):
    """The artifact was changed after saving (sha256 mismatch) or holds a type nobody trusted."""


class SchemaError(ModelStoreError, ValueError):
    """Input records do not fit the model's schema. ``errors`` maps field -> message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


class CorruptModelError(ModelStoreError):
    """A stored card or alias file cannot be read (damaged on disk); the message names the file."""
