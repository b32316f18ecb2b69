"""``{% citizen_signed_in as citizen %}``: the signed-in citizen for the portal's header."""

from __future__ import annotations

from typing import Any

from django import template

from motcua.citizens import oidc
from motcua.citizens.selectors import Identity, signed_in_citizen

register = template.Library()


@register.simple_tag(takes_context=True)
def citizen_signed_in(context: dict[str, Any]) -> Identity | None:
    """The citizen signed in in the request's session, or None."""
    request = context.get("request")
    session = getattr(request, "session", None)
    return signed_in_citizen(session) if session is not None else None


@register.simple_tag
def citizen_sign_in_offered() -> bool:
    """Whether sign-in with the national identity is configured on this site."""
    return oidc.enabled()
