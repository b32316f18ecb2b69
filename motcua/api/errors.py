"""The API app's refusals (``core.errors.DomainError``: a message and the field at fault)."""

from motcua.core.errors import DomainError


class ApiClientError(DomainError):
    """A machine client cannot be created or changed as asked (``field``: the option)."""


class CredentialsRefused(DomainError):
    """Wrong client id or secret, or a revoked client (OAuth2 ``invalid_client``)."""


class ScopeRefused(DomainError):
    """A token asked for a scope its client does not hold (OAuth2 ``invalid_scope``)."""
