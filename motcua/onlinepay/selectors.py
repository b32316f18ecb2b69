"""Reads of online payment."""

from __future__ import annotations

from motcua.onlinepay.choices import Provider
from motcua.onlinepay.providers import gateway_for

GATEWAYS = (Provider.NATIONAL, Provider.VNPAY)


def gateways_configured() -> list[Provider]:
    """The online gateways a citizen may pay through here (their settings are complete):
    the buttons the portal's tracking page shows."""
    return [provider for provider in GATEWAYS if gateway_for(provider).configured()]
