"""A period's figures summed from a ledger held in memory, as the reports sum the stored one:
what the ledger's property tests compare with the definitions."""

from collections import Counter

from motcua.core.metrics import FLOWS, Bucket, Measure, Period, totals_from_ledger


def from_ledger(ledger: Counter, period: Period) -> dict[Bucket, int]:
    """Flows summed over the period's days; stocks up to its first day (exclusive) and its
    last day (inclusive)."""
    flows: Counter = Counter()
    before = at_end = overdue = 0
    for (bucket, day), n in ledger.items():
        if bucket in Measure:
            continue
        if bucket in FLOWS and period.start <= day <= period.end:
            flows[bucket] += n
        elif bucket is Bucket.PENDING:
            before += n if day < period.start else 0
            at_end += n if day <= period.end else 0
        elif bucket is Bucket.PENDING_OVERDUE and day <= period.end:
            overdue += n
    return totals_from_ledger(flows, before, at_end, overdue)
