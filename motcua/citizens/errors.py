"""Why a citizen's sign-in was refused. The message is shown on the page as it is; nothing was
changed and no one is signed in."""

from __future__ import annotations

from motcua.citizens.choices import Refusal
from motcua.core.errors import DomainError


class SignInRefused(DomainError):
    """A refused sign-in: ``reason`` says which check failed (logged, and asserted by tests)."""

    def __init__(self, message: str, *, reason: Refusal) -> None:
        super().__init__(message)
        self.reason = reason

    def __str__(self) -> str:
        return self.message
