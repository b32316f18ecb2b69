"""Why a dossier write was refused. Every error names the field at fault where there is one."""

from __future__ import annotations


class DossierError(Exception):
    """Base: a refused write. Nothing was changed."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class DossierNotFound(DossierError):
    """No such dossier, or not one the user may see (the two look the same, house style R4)."""


class TransitionRefused(DossierError):
    """The lifecycle table does not allow the action from the dossier's state."""


class NotPermitted(DossierError):
    """The actor does not hold a role the action needs for the dossier's unit."""


class StaleVersion(DossierError):
    """Someone changed the dossier since it was read: exactly one of two writers wins."""


class InvalidInput(DossierError):
    """A value is missing or malformed."""
