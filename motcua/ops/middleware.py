"""The first middleware: probes answered at once; every other request given an id, timed,
counted by route and logged in one access line (docs/deployment.md, "Signals").

- ``/healthz``, ``/readyz``, ``/metrics`` go straight to their views: no session, no CSRF
  cookie, no language, no host redirect, no rate limit, no access line (a load balancer asks
  every few seconds). The views decide who may read the metrics.
- Any other request gets an id: the ``X-Request-ID`` the proxy sent when the connection comes
  from a trusted proxy (``MOTCUA_BEHIND_PROXY`` and ``MOTCUA_TRUSTED_PROXIES``, the rule of
  ``lib.clientip``) and the value is well formed, else a new one. It is the context's request
  id while the request runs (every log line, every task it enqueues carries it), and the
  response's ``X-Request-ID``.
- Its duration is observed in the latency histogram under the URL pattern's name, and one
  line is logged by ``motcua.access`` at INFO with route, method, status, duration, the
  signed-in user's id and an API client's id when known.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

from motcua.lib.clientip import trusted_proxies
from motcua.lib.requestid import new_request_id, request_id_bound, well_formed
from motcua.ops import views
from motcua.ops.metrics import observe_request
from motcua.ops.otel import request_id_on_span

access_logger = logging.getLogger("motcua.access")

PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": views.healthz,
    "/readyz": views.readyz,
    "/metrics": views.metrics,
}
UNMATCHED = "<unmatched>"  # a 404 for an address no pattern knows: one label for them all


def _from_trusted_proxy(request: HttpRequest) -> bool:
    if not getattr(settings, "BEHIND_PROXY", False):
        return False
    try:
        remote = ipaddress.ip_address(str(request.META.get("REMOTE_ADDR") or ""))
    except ValueError:
        return False
    return any(remote in network for network in trusted_proxies())


def request_id_for(request: HttpRequest) -> str:
    """The proxy's id if it may be believed, else a new one."""
    if _from_trusted_proxy(request):
        given = well_formed(str(request.META.get("HTTP_X_REQUEST_ID") or ""))
        if given:
            return given
    return new_request_id()


def route_of(request: HttpRequest) -> str:
    """The URL pattern's name (``namespace:name``), its route if unnamed; never the path."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return match.view_name or match.route or UNMATCHED


def _who(request: HttpRequest) -> dict[str, str]:
    """The signed-in user's and the API client's ids, only if the request already looked
    them up (reading them here must not cost a session or token query)."""
    found: dict[str, str] = {}
    user = request.__dict__.get("user")
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is not None and wrapped is not empty and getattr(wrapped, "pk", None):
        found["user"] = str(wrapped.pk)
    client = getattr(request, "client_id", None)
    if client is None:
        client = getattr(getattr(request, "auth", None), "pk", None)
    if client is not None:
        found["client"] = str(client)
    return found


class SignalsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        request_id = request_id_for(request)
        request.request_id = request_id  # type: ignore[attr-defined]
        started = time.perf_counter()
        with request_id_bound(request_id):
            if settings.MOTCUA_OTEL_ENDPOINT:
                request_id_on_span(request_id)
            response = self.get_response(request)
            seconds = time.perf_counter() - started
            route = route_of(request)
            method = request.method or ""
            observe_request(
                route=route, method=method, status=response.status_code, seconds=seconds
            )
            access_logger.info(
                "%s %s %s",
                method,
                route,
                response.status_code,
                extra={
                    "route": route,
                    "method": method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 1),
                    **_who(request),
                },
            )
        response["X-Request-ID"] = request_id
        return response
