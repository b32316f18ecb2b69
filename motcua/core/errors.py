"""The shape every domain refusal shares: a message for the person and the field at fault.

Each app subclasses :class:`DomainError` for its own refusals (``DossierError``,
``DirectiveError``, ``SteeringError`` …) so callers catch the app's error, and one mapping
(``motcua.lib.http``) turns any of them into a page's form error or a JSON 400 naming the field.
Pure Python: no Django, so every layer may raise it.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refused request: ``message`` for the person, ``field`` the input at fault (or None).
    Nothing was changed."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message
