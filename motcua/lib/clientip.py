"""The client's address, the one rule for every rate limit and sign-in record.

``REMOTE_ADDR`` is the client unless the connection comes from one of
``MOTCUA_TRUSTED_PROXIES`` (deploy/nginx/motcua.conf sets ``X-Forwarded-For`` to the address it
saw, replacing whatever the client sent). Then the client is the right-most address of
``X-Forwarded-For`` that is not itself a trusted proxy: anything to its left was written by
the client and is ignored, so a spoofed header from an untrusted address changes nothing
(docs/deployment.md, "Forwarded headers").
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

UNKNOWN = "0.0.0.0"

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in configured)


def trusted_proxies() -> tuple[_Network, ...]:
    """``MOTCUA_TRUSTED_PROXIES`` parsed (addresses or CIDR networks)."""
    return _networks(tuple(getattr(settings, "MOTCUA_TRUSTED_PROXIES", ())))


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return any(address in network for network in trusted_proxies())


def client_ip(request: HttpRequest) -> str:
    """The address the request came from, as a string (``0.0.0.0`` if unknown)."""
    remote = _parse(str(request.META.get("REMOTE_ADDR") or ""))
    if remote is None:
        return UNKNOWN
    if not _trusted(remote):
        return str(remote)
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    for item in reversed(forwarded.split(",")):
        address = _parse(item)
        if address is None:
            # A malformed hop: nothing to its left can be trusted either.
            break
        if not _trusted(address):
            return str(address)
    return str(remote)


FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST")


class ForwardedHeadersMiddleware:
    """Drops the X-Forwarded-* headers of a request that did not come from a trusted proxy.

    Django trusts X-Forwarded-Proto (``SECURE_PROXY_SSL_HEADER``) and X-Forwarded-Host
    (``USE_X_FORWARDED_HOST``) from whoever connects; behind nginx that is right only for
    connections from nginx. First in ``MIDDLEWARE``, so nothing after it sees a client's own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        remote = _parse(str(request.META.get("REMOTE_ADDR") or ""))
        if remote is None or not _trusted(remote):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
