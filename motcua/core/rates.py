"""One definition of each rate the committee reads off a period's figures (domain spec §4, §5.3).

A rate is a share of two figures of :mod:`motcua.core.metrics`: the dashboard's headline, the
briefing, the report's text and PDF, the Decision 766 index and the steering indicators all
take its numerator and denominator from here, so "digitised" means the same dossiers over the
same whole everywhere. Each rate also carries the decimals the committee writes it with
(73,54%; but digitisation and electronic certification in whole percent, 77%, 25%: seed);
formatting itself stays with the outputs (``lib.formatting``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from motcua.core.metrics import Bucket


class RateKey(StrEnum):
    ON_TIME = "on_time"
    ONLINE_SUBMISSION = "online_submission"
    PAID_ONLINE = "paid_online"
    DIGITISED = "digitised"
    E_CERTIFIED = "e_certified"
    REUSED = "reused"
    SATISFIED = "satisfied"


@dataclass(frozen=True)
class Rate:
    """numerator figures (summed) over one denominator figure, shown with ``decimals``."""

    key: RateKey
    numerator: tuple[Bucket, ...]
    denominator: Bucket
    decimals: int

    def counts(self, totals: Mapping[Bucket, int] | Mapping[str, int]) -> tuple[int, int]:
        """(numerator, denominator) in ``totals`` (a missing figure counts as 0)."""
        part = sum(totals.get(bucket, 0) for bucket in self.numerator)
        return part, totals.get(self.denominator, 0)


ON_TIME = Rate(
    RateKey.ON_TIME, (Bucket.RESOLVED_EARLY, Bucket.RESOLVED_ON_TIME), Bucket.RESOLVED, 2
)
ONLINE_SUBMISSION = Rate(RateKey.ONLINE_SUBMISSION, (Bucket.RECEIVED_ONLINE,), Bucket.RECEIVED, 2)
PAID_ONLINE = Rate(RateKey.PAID_ONLINE, (Bucket.PAID_ONLINE,), Bucket.OBLIGATION, 2)
DIGITISED = Rate(RateKey.DIGITISED, (Bucket.DIGITISED,), Bucket.RECEIVED, 0)
E_CERTIFIED = Rate(RateKey.E_CERTIFIED, (Bucket.E_CERTIFIED,), Bucket.CERTIFICATION, 0)
# 766 indicator 4.3: "dossiers reusing stored digitised documents / eligible dossiers"
# (vietnam-one-stop.md §5.3); eligible: the applicant's store held a paper the dossier needed.
REUSED = Rate(RateKey.REUSED, (Bucket.REUSED,), Bucket.REUSE_ELIGIBLE, 0)
SATISFIED = Rate(RateKey.SATISFIED, (Bucket.SATISFIED,), Bucket.RATED, 2)

# The headline rates in the order the dashboard shows them.
RATES = (ON_TIME, ONLINE_SUBMISSION, PAID_ONLINE, DIGITISED, E_CERTIFIED, REUSED, SATISFIED)
