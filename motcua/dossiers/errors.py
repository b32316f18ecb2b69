"""Why a dossier write was refused. Every error names the field at fault where there is one."""

from __future__ import annotations

from motcua.core.errors import DomainError


class DossierError(DomainError):
    """Base: a refused write. Nothing was changed."""


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
