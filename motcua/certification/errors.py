"""Why a certification write was refused. Every error names the field at fault where there is
one; nothing was changed."""

from __future__ import annotations

from motcua.core.errors import DomainError


class CertificationError(DomainError):
    """Base: a refused certification, revocation or check. Nothing was changed."""


class InvalidInput(CertificationError):
    """A value is missing or malformed (a name, an ID number, a date, the scan)."""


class NotPermitted(CertificationError):
    """The actor holds no certifying role for the unit."""


class CopyNotFound(CertificationError):
    """No such register entry, or not one the user may see (the two look the same)."""


class AlreadyRevoked(CertificationError):
    """The copy was revoked before: a second revocation changes nothing and says so."""
