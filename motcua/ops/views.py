"""The operators' endpoints: ``/healthz``, ``/readyz``, ``/metrics`` (docs/deployment.md,
"Signals"). Machines read them, so they answer JSON or Prometheus text, never a page, and
``motcua.ops.middleware.SignalsMiddleware`` serves them before sessions, CSRF, the language
or the rate limits do any work (they are also in the URL map, for ``reverse`` and for a
deployment without that middleware).
"""

from __future__ import annotations

import hmac
import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST

from motcua.lib.clientip import client_ip
from motcua.ops.metrics import render
from motcua.ops.readiness import readiness

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is alive and answers: no database, no file, nothing that can be slow."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready for traffic (200) or not (503), with each check's outcome (ops.readiness)."""
    result = readiness()
    return _quiet(
        JsonResponse(
            {"status": "ready" if result.ready else "not ready", "checks": result.checks},
            status=200 if result.ready else 503,
        )
    )


def _quiet(response: HttpResponse) -> HttpResponse:
    # A probe's 503 or 403 is an answer, not an error of the site: Django's request logger
    # would write one ERROR line per probe every few seconds while a worker is away.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


@lru_cache(maxsize=4)
def _networks(configured: tuple[str, ...]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in configured)


def metrics_allowed(request: HttpRequest) -> bool:
    """A scraper may read the metrics with the bearer token (MOTCUA_METRICS_TOKEN), or from
    a network of MOTCUA_METRICS_ALLOW; the client's address is the one the rate limits use
    (lib.clientip: behind a trusted proxy, the forwarded one), so the proxy's own address
    never lets the whole internet in."""
    token = str(getattr(settings, "MOTCUA_METRICS_TOKEN", "") or "")
    header = str(request.META.get("HTTP_AUTHORIZATION") or "")
    given = header[len("Bearer ") :].strip() if header.startswith("Bearer ") else ""
    if token and given and hmac.compare_digest(given.encode(), token.encode()):
        return True
    allowed = _networks(tuple(getattr(settings, "MOTCUA_METRICS_ALLOW", ())))
    if allowed:
        address = ipaddress.ip_address(client_ip(request))
        if any(address in network for network in allowed):
            return True
    return False


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """The Prometheus text exposition (ops.metrics); 403 without the token or an allowed
    address."""
    if not metrics_allowed(request):
        return _quiet(JsonResponse({"error": "forbidden"}, status=403))
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
