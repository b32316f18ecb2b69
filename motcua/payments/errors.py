"""Why a payment write was refused. Every error names the field at fault where there is one;
nothing was changed.

Payments sit below dossiers: the dossier write path turns these into its own ``InvalidInput``
for its callers, so a page or command that records a payment through a dossier still catches
``DossierError``.
"""

from __future__ import annotations

from motcua.core.errors import DomainError


class PaymentError(DomainError):
    """Base: a refused obligation, collection or receipt book."""


class InvalidInput(PaymentError):
    """A value is missing or malformed, or more is paid than is owed."""
