"""Where an app hands ``/metrics`` a gauge of its own (docs/deployment.md, "Signals").

``motcua.ops.metrics`` serves the metrics and sits above every app, so an app below it
(the API's webhook outbox, the national sync) cannot import it; instead it registers, when
Django starts (its ``AppConfig.ready``), a function that reads its figures at scrape time::

    from motcua.lib.gauges import Gauge, register_gauge

    register_gauge(Gauge(
        name="motcua_webhook_outbox_lag_seconds",
        documentation="Age of the oldest undelivered webhook event.",
        labels=("subscription",),
        read=lambda: [(("all",), outbox_lag_seconds())],
    ))

``read`` returns ``(label values, value)`` pairs; it runs on every scrape, so it must be a
few indexed queries whose cost does not grow with history, and its labels must be bounded
(a subscription, a unit, never a dossier or a path). A gauge whose ``read`` raises is left
out of that scrape and shows 0 in ``motcua_metrics_gauge_ok{gauge=...}``; the others answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

Sample = tuple[tuple[str, ...], float]

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


@dataclass(frozen=True)
class Gauge:
    """One gauge family: its name, help text, label names, and how to read its samples."""

    name: str
    documentation: str
    labels: tuple[str, ...]
    read: Callable[[], Iterable[Sample]]


_GAUGES: dict[str, Gauge] = {}


def register_gauge(gauge: Gauge) -> None:
    """Add ``gauge`` to what ``/metrics`` reads; registering a name again replaces it (a
    reloaded app), so registering is idempotent."""
    if not _NAME.fullmatch(gauge.name) or any(not _NAME.fullmatch(x) for x in gauge.labels):
        raise ValueError(f"{gauge.name!r}: not a Prometheus metric or label name")
    _GAUGES[gauge.name] = gauge


def registered_gauges() -> list[Gauge]:
    """The gauges registered so far, by name."""
    return [_GAUGES[name] for name in sorted(_GAUGES)]


def unregister_gauge(name: str) -> None:
    """Take a gauge out (tests; an app that stops reporting it)."""
    _GAUGES.pop(name, None)
