"""Why a write on meetings or directives was refused. Each error names its field if it has one."""

from __future__ import annotations


class DirectiveError(Exception):
    """Base: a refused write. Nothing was changed."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class NotFound(DirectiveError):
    """No such meeting or directive, or not one the user may see (the two look the same)."""


class NotPermitted(DirectiveError):
    """The actor holds no role that allows this write for the unit concerned."""


class TransitionRefused(DirectiveError):
    """The status table does not allow this change from the directive's status."""


class StaleVersion(DirectiveError):
    """Someone changed the directive since it was read: exactly one of two writers wins."""


class InvalidInput(DirectiveError):
    """A value is missing or malformed."""
