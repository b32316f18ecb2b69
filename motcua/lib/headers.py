"""Response headers Django has no setting for: ``Permissions-Policy``.

Content-Security-Policy comes from django-csp (``settings.CONTENT_SECURITY_POLICY``); HSTS,
``X-Content-Type-Options``, ``Referrer-Policy`` and ``Cross-Origin-Opener-Policy`` from
Django's ``SecurityMiddleware``; ``X-Frame-Options`` from the clickjacking middleware
(docs/architecture.md, "Security").
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    """Switches off the browser features no page uses (camera, microphone, geolocation,
    payment...): a script injected despite the CSP still cannot ask for them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = str(getattr(settings, "MOTCUA_PERMISSIONS_POLICY", ""))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.policy:
            response.headers.setdefault("Permissions-Policy", self.policy)
        return response
