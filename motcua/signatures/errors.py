"""Errors the signatures app raises; ``field`` names what was wrong so a CLI can name its option."""

from __future__ import annotations


class SignatureError(Exception):
    """A refused signing or verifying request.

    ``field`` is the input at fault: ``"signer"``, ``"source"``, ``"target"``, ``"directory"``
    or ``None`` (the configuration as a whole).
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
