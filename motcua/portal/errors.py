"""Why the portal refused something. The message is shown on the page; ``field`` names the
form field at fault where there is one."""

from __future__ import annotations

from motcua.core.errors import DomainError


class PortalError(DomainError):
    """Base: a refused portal request. Nothing was changed."""

    def __str__(self) -> str:
        # The message alone: it is shown to the applicant as it is.
        return self.message


class TrackingRefused(PortalError):
    """Unknown code or wrong secret or phone: one message for all, so nothing is revealed."""


class Limited(PortalError):
    """Refused by a rate limit: ``retry_after`` seconds until the next try (HTTP 429)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TrackingLimited(Limited):
    """Too many failed attempts from this address, or for this code from this address."""


class SubmissionLimited(Limited):
    """Too many dossiers submitted from this address or with this phone in the window."""


class RatingLinkInvalid(PortalError):
    """No rating link has this token."""


class RatingLinkUsed(PortalError):
    """The link already carried a rating (or the dossier was rated another way)."""


class SupplementNotAwaited(PortalError):
    """The dossier is not awaiting a supplement (none was asked, or it was already sent)."""


class SupplementStale(PortalError):
    """The dossier changed since the page was shown (the officer acted meanwhile)."""


class SupplementFileRefused(PortalError):
    """One of the supplement's files was refused; ``component_id`` says which input."""

    def __init__(self, message: str, *, component_id: int | None) -> None:
        super().__init__(message, field="files")
        self.component_id = component_id
