"""Why a write on meetings or directives was refused. Each error names its field if it has one."""

from __future__ import annotations

from motcua.core.errors import DomainError


class DirectiveError(DomainError):
    """Base: a refused write. Nothing was changed."""


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
