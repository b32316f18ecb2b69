"""The API's settings (``settings.MOTCUA_API``; docs/api.md "Settings"), read as numbers."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings


def api_setting(name: str) -> Any:
    """``settings.MOTCUA_API[name]`` (the dict mixes texts and numbers)."""
    return cast(dict[str, Any], settings.MOTCUA_API)[name]


def api_int(name: str) -> int:
    """A whole-number setting of ``MOTCUA_API`` (``TOKEN_SECONDS``, ``PAGE_MAX`` …)."""
    return int(api_setting(name))
