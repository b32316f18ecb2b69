"""The demo's live year: a year of dossiers of the three units of 1/7/2025, ending today.

The 2024 history (``demo.scenario.BAC_KAN_2024``) shows what the city did; a newcomer who
opens the demo today also needs today's work: online submissions waiting to be accepted,
dossiers due today and tomorrow, overdue ones, ones waiting for a supplement, and a year of
figures on the leaders' dashboard. The same generator makes them, with parameters
(:func:`live_params`), and the same history import loads them, so the figures' ledger
(``dossiers.DayFigure``) is written as for any imported history.

- Deterministic for a date: the seed and every period come from ``today``; the same day gives
  the same records.
- The period ends yesterday, so no event lies after the moment of loading; today's dossiers
  are the online ones submitted after yesterday's close (their official receipt moment is
  this morning's opening, §1.5) and a few received at the counter in this morning's first
  hour (on a working day) before the moment of loading: the import refuses a moment ahead of
  the clock, as a live write does.
- Loaded once: a later ``demo load`` (the next day, or any day) finds live-year dossiers
  stored and adds nothing; the stored year then simply ages (docs/demo.md). To start again
  from today, load into a fresh database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from motcua.demo.scenario import ScenarioParams, load_scenario
from motcua.dossiers.history import ImportReport
from motcua.dossiers.models import Dossier

# The units that replaced Bắc Kạn city's wards and communes on 1/7/2025 (§10.2).
LIVE_UNITS = ("01840", "01843", "01849")
DESK_PATTERN = "TTPVHCC-{}"
COMMITTEE_PATTERN = "UBND-{}-2025"
LIVE_DESKS = tuple(DESK_PATTERN.format(unit) for unit in LIVE_UNITS)
TWO_LEVEL_DAY = date(2025, 7, 1)

# The demo accounts of the new units (demo.services.CURRENT_ACCOUNTS): their names appear on
# the dossiers they handled.
KNOWN_STAFF = (
    ("TTPVHCC-01840", "Ma Thị Thu"),
    ("TTPVHCC-01843", "Triệu Thị Ngọc"),
    ("TTPVHCC-01849", "Bế Thị Duyên"),
    ("UBND-01840-2025", "Hà Văn Quang"),
    ("UBND-01843-2025", "Lục Văn Bình"),
    ("UBND-01849-2025", "Dương Văn Tài"),
)
# Their officers' accounts (the same list), to whom each unit's dossiers are assigned when
# they are transferred: each officer's queue and the end-of-day lists per officer name them.
OFFICER_ACCOUNTS = (
    ("UBND-01840-2025", "chuyenvien.ducxuan"),
    ("UBND-01843-2025", "chuyenvien.backan"),
    ("UBND-01849-2025", "chuyenvien.phongquang"),
)
WARD_LEADERS = (("01840", "Nông Thị Hồng"), ("01843", "Hoàng Văn Sơn"), ("01849", "Lý Văn Thành"))


@dataclass(frozen=True)
class LiveYearReport:
    """What a load did: ``created`` dossiers, or ``kept`` (already stored, nothing added)."""

    created: int
    kept: int

    @property
    def total(self) -> int:
        return self.created + self.kept


def live_params(today: date, loaded_at: datetime | None = None) -> ScenarioParams:
    """The live year's parameters for ``today``: about 2.000 dossiers of the three units, and
    this morning's counter receipts up to ``loaded_at`` (all of them when not given).

    The year never starts before 1/7/2025 (the units did not exist); history before the
    period starts 45 days earlier, for the dossiers carried into it.
    """
    end = today - timedelta(days=1)
    start = max(today - timedelta(days=365), TWO_LEVEL_DAY + timedelta(days=60))
    share = min(1.0, ((end - start).days + 1) / 365)

    def n(count: int, least: int) -> int:
        """``count`` for a whole year, in proportion for a shorter one (soon after 2025)."""
        return max(least, round(count * share))

    return ScenarioParams(
        seed=int(f"{today:%Y%m%d}"),
        history_start=max(start - timedelta(days=45), TWO_LEVEL_DAY),
        period_start=start,
        period_end=end,
        received_online=n(1180, 200),
        received_direct=n(640, 110),
        received_postal=n(12, 2),
        carried_over=n(24, 6),
        prior_resolved=n(30, 6),
        late_resolved=n(18, 3),
        pending=75,
        pending_from=end - timedelta(days=21),
        obligations=n(760, 130),
        paid_online=n(240, 40),
        certification_dossiers=n(420, 70),
        digitisation_rate="0.82",
        e_certification_rate="0.30",
        rated_share=0.5,
        satisfied_share=0.96,
        very_satisfied_share=0.45,
        supplement_share=0.05,
        denied_share=0.01,
        city_share=0.0,
        city_unit="",
        city_desk="",
        ward_units=LIVE_UNITS,
        leader="Nông Thị Hồng",
        label=f"live-{today:%Y%m%d}",
        desk_pattern=DESK_PATTERN,
        committee_pattern=COMMITTEE_PATTERN,
        address_place="tỉnh Thái Nguyên",
        known_staff=KNOWN_STAFF,
        ward_leaders=WARD_LEADERS,
        assignees=OFFICER_ACCOUNTS,
        overdue=6,
        due_next=6,
        due_after_next=6,
        awaiting_supplement=6,
        waiting_online=9,
        next_morning=6,
        loaded_at=loaded_at,
    )


def live_year_stored() -> int:
    """Imported dossiers at the new units' centres: a live year loaded on some earlier day."""
    return Dossier.objects.filter(imported=True, receiving_agency__code__in=LIVE_DESKS).count()


# The first day a live year can be made: its period (from 30/08/2025) must hold the late
# dossiers' five weeks and the overdue ones' window.
FIRST_LIVE_DAY = date(2025, 11, 15)


def load_live_year(today: date) -> LiveYearReport:
    """Generate and import the live year ending ``today``, unless one is already stored.

    Never fails on a second load and never duplicates: a stored live year (of any day) is
    kept as it is and nothing is added. Before :data:`FIRST_LIVE_DAY` (a machine whose clock
    is in the past) there is no live year to make. The officers' accounts
    (:data:`OFFICER_ACCOUNTS`) must exist: the import refuses an assignee it does not know
    (``demo load`` creates the accounts first).
    """
    stored = live_year_stored()
    if stored or today < FIRST_LIVE_DAY:
        return LiveYearReport(created=0, kept=stored)
    report: ImportReport = load_scenario(live_params(today))
    return LiveYearReport(created=len(report.created), kept=len(report.unchanged))
