"""The language switch of the layout (``/i18n/setlang/``)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.i18n import set_language

from motcua.accounts.models import User
from motcua.accounts.services import user_language_set


def language_set(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (the cookie, the safe redirect), and for a signed-in person
    the choice kept in her profile too."""
    response = set_language(request)
    language = request.POST.get("language", "")
    supported = {code for code, _name in settings.LANGUAGES}
    if (
        request.method == "POST"
        and language in supported
        and request.user.is_authenticated
        and isinstance(request.user, User)
    ):
        user_language_set(user=request.user, language=language)
    return response
