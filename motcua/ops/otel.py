"""Optional traces: OpenTelemetry over OTLP/HTTP when ``MOTCUA_OTEL_ENDPOINT`` is set
(docs/deployment.md, "Signals").

Installed with the ``[otel]`` extra (``pip install 'motcua[otel]'``). When the setting is
empty nothing here imports OpenTelemetry, so a deployment without a collector pays nothing.
When it is set, every process (web and worker) sends its spans to ``<endpoint>/v1/traces``:

- one span per request (opentelemetry-instrumentation-django, its middleware first), named
  by the route, with the request id (``motcua.request_id``) as an attribute;
- one span per SQL statement, on both engines, from Django's own execute wrappers (no
  driver instrumentation to match the engine): ``db.system`` and ``db.statement`` (the SQL
  with its placeholders, never the parameters: they hold citizens' data).

Spans are batched and sent by a background thread (the SDK restarts it in forked web
processes); the process's exit flushes what is left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.signals import connection_created

_configured = False
# Longest statement text put on a span (a bulk INSERT can be megabytes).
STATEMENT_CHARS = 2000


def otel_configure(endpoint: str, service_name: str) -> None:
    """Send this process's traces to the collector at ``endpoint`` (once per process)."""
    global _configured
    if _configured:
        return
    try:
        from opentelemetry import trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.instrumentation.django import DjangoInstrumentor
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as error:
        raise ImproperlyConfigured(
            f"MOTCUA_OTEL_ENDPOINT is set but OpenTelemetry is not installed ({error.name}): "
            "pip install 'motcua[otel]', or leave MOTCUA_OTEL_ENDPOINT empty"
        ) from None
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(
        BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces", timeout=10))
    )
    trace.set_tracer_provider(provider)
    DjangoInstrumentor().instrument(tracer_provider=provider)
    connection_created.connect(_trace_statements, dispatch_uid="motcua.ops.otel")
    _configured = True


def _trace_statements(sender: Any, connection: Any, **kwargs: Any) -> None:
    if _statement_span not in connection.execute_wrappers:
        connection.execute_wrappers.append(_statement_span)


def _statement_span(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]
) -> Any:
    from opentelemetry import trace

    vendor = context["connection"].vendor
    tracer = trace.get_tracer("motcua.db")
    with tracer.start_as_current_span(
        f"{vendor} {sql.split(None, 1)[0].upper() if sql.strip() else 'query'}",
        kind=trace.SpanKind.CLIENT,
        attributes={"db.system": vendor, "db.statement": sql[:STATEMENT_CHARS]},
    ):
        return execute(sql, params, many, context)


def request_id_on_span(request_id: str) -> None:
    """Name the request's id on the current span (the request's, from the middleware)."""
    from opentelemetry import trace

    trace.get_current_span().set_attribute("motcua.request_id", request_id)
