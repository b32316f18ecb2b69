"""Why a digitise request was refused. Every error names the field at fault where there is one."""

from __future__ import annotations

from motcua.core.errors import DomainError


class DigitiseError(DomainError):
    """Base: a refused request. Nothing was changed."""


class DigitisationNotFound(DigitiseError):
    """No such file or digitisation, or not one the user may see."""


class InvalidInput(DigitiseError):
    """A value is missing or malformed."""


class Conflict(DigitiseError):
    """The digitisation is not in a state that allows the request (already confirmed,
    still running, …): of two concurrent requests exactly one wins, the other gets this."""
