"""Why an online-payment request was refused. Every error names the field at fault; nothing
was changed."""

from __future__ import annotations

from motcua.core.errors import DomainError


class OnlinePayError(DomainError):
    """Base: a refused intent, poll or reconciliation."""
