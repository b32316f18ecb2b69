"""Why a document-store write was refused. Every error names the field at fault."""

from __future__ import annotations

from motcua.core.errors import DomainError


class DocstoreError(DomainError):
    """Base: a refused write. Nothing was changed."""


class DocumentNotFound(DocstoreError):
    """No such document or dossier, or not one the user may see (the two look the same)."""


class InvalidInput(DocstoreError):
    """A value is missing or malformed."""


class ReuseRefused(DocstoreError):
    """The document may not be reused there: another person's, expired, unreadable."""


class AlreadyReused(DocstoreError):
    """The document was already reused for this component (perhaps by someone else just now)."""
