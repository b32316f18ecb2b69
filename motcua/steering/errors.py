"""Why a steering write was refused. Every error names the field at fault where there is one;
nothing was changed."""

from __future__ import annotations

from motcua.core.errors import DomainError
from motcua.lib.tablefile import RowError


class SteeringError(DomainError):
    """Base: a refused write."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        problems: list[tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(message, field=field)
        # Every (field, message) found, the first being ``field`` and ``message``: a form
        # shows them all next to their fields.
        self.problems = problems or [(field or "", message)]


class InvalidInput(SteeringError):
    """A value is missing, malformed or impossible (a future period, 3 of 2 households)."""


class NotEnterable(InvalidInput):
    """The indicator is computed by the system from dossiers and catalogue: never typed in."""


class ValueConflict(SteeringError):
    """Someone recorded a value for the same indicator, unit and period at the same moment."""


class ImportRefused(SteeringError):
    """The file was refused whole; ``errors`` names every bad line and column."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors
