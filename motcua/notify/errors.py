from __future__ import annotations


class InvalidInput(ValueError):
    """Bad input to a notify service; ``field`` names the place."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
