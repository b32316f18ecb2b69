"""Reads of dossiers that several interfaces share: the CLI queue, the figures' inputs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from django.db.models import F, Q, QuerySet

from motcua.core import timeliness, workflow
from motcua.core.metrics import DossierFacts
from motcua.core.timeliness import Pause
from motcua.dossiers.choices import PauseReason
from motcua.dossiers.models import Dossier
from motcua.feedback.choices import SATISFIED_OR_BETTER
from motcua.payments.choices import ONLINE_METHODS, PaymentEventKind


def overdue_q(at: datetime) -> Q:
    """Pending dossiers past their time at ``at``: the database form of
    ``core.timeliness.is_overdue``.

    A running clock is overdue once its effective due moment has passed. A stopped clock
    (waiting for a supplement or an obligation) moves the due moment with it, so such a
    dossier is overdue only if it already was when the clock stopped. More than one
    supplement request counts as overdue (766 indicator 2.1). Moments compare by wall time:
    a clock stopped in the night after a due moment of 17:00 counts as overdue.
    """
    running = Q(paused_since__isnull=True, effective_due_at__lt=at)
    stopped = Q(paused_since__isnull=False, effective_due_at__lt=F("paused_since"))
    too_many = Q(supplement_requests__gt=timeliness.MAX_SUPPLEMENT_REQUESTS_ON_TIME)
    return Q(status__in=[s.value for s in workflow.PENDING]) & (running | stopped | too_many)


def dossier_facts(queryset: QuerySet[Dossier] | None = None) -> Iterator[DossierFacts]:
    """What the figure definitions (``core.metrics``) need of each dossier, in bounded queries."""
    for _, facts in dossiers_with_facts(queryset):
        yield facts


def dossiers_with_facts(
    queryset: QuerySet[Dossier] | None = None,
) -> Iterator[tuple[Dossier, DossierFacts]]:
    """Each dossier with its :class:`DossierFacts`, in bounded queries.

    Digitised (766 indicator 4.2, §5.3 [S]): every component received has its scan and, once
    resolved, so has the result. Paid online (766 indicator 3.6): an obligation paid through
    the national portal or a local gateway.
    """
    dossiers = (queryset if queryset is not None else Dossier.objects.all()).select_related(
        "procedure_version", "rating"
    )
    dossiers = dossiers.prefetch_related("pauses", "components", "payments__events")
    for dossier in dossiers.iterator(chunk_size=2000):
        pauses = list(dossier.pauses.all())
        components = list(dossier.components.all())
        payments = list(dossier.payments.all())
        rating = getattr(dossier, "rating", None)
        yield (
            dossier,
            DossierFacts(
                received_at=dossier.received_at,
                channel=dossier.channel,
                resolved_at=dossier.resolved_at,
                timeliness=dossier.timeliness,
                ended_at=dossier.ended_at if dossier.received_at is not None else None,
                due_at=dossier.due_at,
                pauses=tuple(Pause(p.started_at, p.ended_at) for p in pauses),
                supplement_starts=tuple(
                    p.started_at for p in pauses if p.reason == PauseReason.SUPPLEMENT
                ),
                has_obligation=bool(payments),
                paid_online=any(
                    event.kind == PaymentEventKind.SUCCEEDED and event.method in ONLINE_METHODS
                    for payment in payments
                    for event in payment.events.all()
                ),
                digitised=bool(components)
                and all(c.digitised for c in components)
                and (dossier.resolved_at is None or dossier.result_digitised),
                certification=dossier.procedure_version.is_certification,
                e_certified=dossier.electronic_certification,
                rated_at=rating.at if rating else None,
                satisfied=rating is not None and rating.level in SATISFIED_OR_BETTER,
                key=dossier.code,
            ),
        )
