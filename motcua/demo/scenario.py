"""A city's dossier history generated from parameters: the Bắc Kạn 2024 scenario.

Not a hand-made dump: :func:`generate` builds, deterministically from :class:`ScenarioParams`
and a seed, the history of dossiers across the city's one-stop section and its wards' one-stop
sections, from ``history_start`` to the end of ``period_end``, such that the figures of the
period are exactly those the parameters ask for. The records are in the history file format
(``motcua.dossiers.history``), and :func:`load_scenario` loads them through the import, so the
scenario is history like any migrated one: its facts are recorded, not recomputed.

Definitions of the figures (docs/dossier-history-format.md, "The scenario"):

- received in the period: ``received_at`` in [period_start, period_end] (local days); direct
  means in person or by post;
- carried over: received before period_start, not resolved or ended before it;
- resolved in the period (early + on time, late): ``resolved_at`` in the period;
- pending at the end: received by the end, not resolved or ended by then; all within time
  but the ``overdue`` ones (none in 2024);
- obligations: dossiers received in the period with a financial obligation; paid online: those
  with a successful payment through the national portal or the local gateway;
- digitisation (766 indicator 4.2, §5.3): dossiers received in the period whose components are
  all digitised and, if resolved, whose result is digitised, over dossiers received;
- electronic certification: dossiers of certification procedures received in the period with
  an electronically certified copy, over certification dossiers received in the period.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from motcua.catalog.choices import OnlineLevel, ProcedureLevel
from motcua.catalog.models import ProcedureVersion
from motcua.clock.selectors import calendar_for
from motcua.core.clock import LOCAL_TZ, WorkingCalendar
from motcua.core.errors import DomainError
from motcua.dossiers.choices import Channel, Outcome, ResultForm, ReturnMethod, Status
from motcua.dossiers.history import HEADER, ImportReport, import_history
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import timeliness_of
from motcua.feedback.choices import RatingLevel
from motcua.payments.choices import PaymentEventKind, PaymentMethod
from motcua.units.models import AdministrativeUnit, Agency
from motcua.units.selectors import unit_at


class ScenarioError(DomainError, ValueError):
    """The parameters cannot be met (say which); nothing is generated.
    A ValueError too: callers that caught ValueError still do."""


@dataclass(frozen=True)
class ScenarioParams:
    """What a scenario must produce. Counts are for the period, the whole city."""

    seed: int = 2024
    history_start: date = date(2023, 7, 1)  # the oldest dossier's receipt (prior history)
    period_start: date = date(2024, 1, 1)
    period_end: date = date(2024, 5, 22)  # inclusive: the figures are as of its end
    received_online: int = 1342
    received_direct: int = 266  # in person and by post
    received_postal: int = 8  # of which by post
    carried_over: int = 39  # received before the period, resolved in it
    prior_resolved: int = 60  # received and resolved before the period (history only)
    late_resolved: int = 5  # of those resolved in the period
    pending: int = 43  # received in the period, pending (all within time) at its end
    pending_from: date = date(2024, 5, 6)  # pending ones were received from this day
    obligations: int = 1501  # dossiers received in the period with a financial obligation
    paid_online: int = 508  # of which paid online (national portal or local gateway)
    online_national_share: float = 0.85  # of online payments, through the national portal
    certification_dossiers: int = 412  # dossiers of certification procedures received
    digitisation_rate: str = "0.77"  # exact counts are these rates rounded half up
    e_certification_rate: str = "0.25"
    rated_share: float = 0.55  # of returned dossiers, rated by the applicant
    satisfied_share: float = 1.0  # of ratings, satisfied or very satisfied
    very_satisfied_share: float = 0.4  # of satisfied-or-better ratings
    supplement_share: float = 0.04  # dossiers with one supplement pause
    denied_share: float = 0.01
    city_share: float = 0.45  # dossiers at the city's one-stop section (city-level procedures)
    city_unit: str = "058"
    city_desk: str = "BPMC-058"
    ward_units: tuple[str, ...] = (
        "01834",
        "01837",
        "01840",
        "01843",
        "01846",
        "01849",
        "01852",
        "01855",
    )
    leader: str = "Lý Thị Hà"
    label: str = "bac-kan-2024"
    # Where a ward's dossiers are received and settled: agency codes from the ward's code.
    # The 2024 wards have one-stop sections; since 1/7/2025 communes have centres (§10.2).
    desk_pattern: str = "BPMC-{}"
    committee_pattern: str = "UBND-{}"
    address_place: str = "thành phố Bắc Kạn"  # the end of the applicants' addresses
    # Names of known staff by agency code, and of the leader who signs a ward's apologies.
    known_staff: tuple[tuple[str, str], ...] = ()
    ward_leaders: tuple[tuple[str, str], ...] = ()
    # Usernames of the staff accounts a dossier is assigned to when it is transferred, by
    # competent agency code; kept after its resolution, as a live transfer's assignee is.
    # None in 2024: its people are names of the old system, not accounts.
    assignees: tuple[tuple[str, str], ...] = ()
    # Pending dossiers in states a working day needs (the live year), taken out of
    # ``pending``: overdue (due before the period's end), due on the first and on the second
    # working day after the period, and awaiting a supplement (the clock stopped).
    overdue: int = 0
    due_next: int = 0
    due_after_next: int = 0
    awaiting_supplement: int = 0
    # After the period (not in its figures): submitted online after the last close and not yet
    # received (awaiting acceptance, §1.5), and received at the counter in the first hour of
    # the next day when it is a working day.
    waiting_online: int = 0
    next_morning: int = 0
    # The moment of loading, when the next day is today: a counter receipt of its first hour
    # not yet happened then is not made (the import refuses what has not happened).
    loaded_at: datetime | None = None

    @property
    def received(self) -> int:
        return self.received_online + self.received_direct

    @property
    def digitised(self) -> int:
        return _share(self.received, self.digitisation_rate)

    @property
    def e_certified(self) -> int:
        return _share(self.certification_dossiers, self.e_certification_rate)


BAC_KAN_2024 = ScenarioParams()


def _share(total: int, rate: str) -> int:
    return int((Decimal(total) * Decimal(rate)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def expected_figures(params: ScenarioParams) -> dict[str, int]:
    """The period's figures the scenario produces (what a report must show)."""
    return {
        "received": params.received,
        "received_online": params.received_online,
        "received_direct": params.received_direct,
        "carried_over": params.carried_over,
        "resolved": params.received - params.pending + params.carried_over,
        "resolved_in_time": params.received
        - params.pending
        + params.carried_over
        - params.late_resolved,
        "resolved_late": params.late_resolved,
        "pending": params.pending,
        "pending_overdue": params.overdue,
        "obligations": params.obligations,
        "paid_online": params.paid_online,
        "digitised": params.digitised,
        "certification": params.certification_dossiers,
        "e_certified": params.e_certified,
    }


# -- people ------------------------------------------------------------------------------------

SURNAMES = (
    "Nguyễn", "Hoàng", "Nông", "Ma", "Hà", "Triệu", "Lý", "Đinh", "Lục", "Bế", "Dương",
    "Trần", "Lê", "Phạm", "Vũ", "Lương", "Hứa", "La",
)  # fmt: skip
MALE = ("Văn Hùng", "Đức Minh", "Văn Nam", "Quang Huy", "Văn Thắng", "Minh Tuấn", "Văn Dũng",
        "Đức Anh", "Văn Quân", "Hữu Phúc", "Văn Toàn", "Thế Vinh")  # fmt: skip
FEMALE = ("Thị Lan", "Thị Hương", "Thị Thu", "Thị Mai", "Thị Hạnh", "Thu Trang", "Thị Hòa",
          "Ngọc Linh", "Thị Nga", "Thị Duyên", "Minh Phương", "Thị Yến")  # fmt: skip
COMPANIES = ("Công ty TNHH Xây dựng", "Công ty Cổ phần Thương mại", "Hợp tác xã Nông nghiệp",
             "Công ty TNHH Dịch vụ")  # fmt: skip
COMPANY_NAMES = ("Hoàng Long", "Bắc Sơn", "Ba Bể", "Phja Bjoóc", "Sông Cầu", "Nam Cường")
KNOWN_CLERKS = {"BPMC-058": "Hoàng Thị Lan", "BPMC-01840": "Ma Thị Thu"}
DENIAL = "Hồ sơ không đủ điều kiện theo quy định"
SUPPLEMENT_REASON = "Bổ sung giấy tờ chứng minh theo yêu cầu"
APOLOGY = "Hồ sơ cần xác minh thêm tại cơ sở"


def _person(rng: random.Random) -> tuple[str, bool]:
    female = rng.random() < 0.5
    given = rng.choice(FEMALE if female else MALE)
    return f"{rng.choice(SURNAMES)} {given}", female


# -- the plan of one dossier -----------------------------------------------------------------


@dataclass
class _Plan:
    group: str  # period | carried | prior
    channel: str
    pending: bool = False
    late: bool = False
    certification: bool = False
    obligation: bool = False
    paid_online: bool = False
    e_certified: bool = False
    digitised: bool = False
    supplement: bool = False
    denied: bool = False
    ward: str = ""  # "" = the city's one-stop section
    state: str = ""  # a forced pending state: overdue | due_next | due_after_next | supplement
    # Filled by the timeline.
    version: ProcedureVersion | None = None
    times: dict[str, Any] = field(default_factory=dict)
    code: str = ""


class _World:
    """The agencies, units, catalogue and calendar the scenario is built on (read once)."""

    def __init__(self, params: ScenarioParams) -> None:
        codes = [params.city_desk] if params.city_desk else []
        for ward in params.ward_units:
            codes += [params.desk_pattern.format(ward), params.committee_pattern.format(ward)]
        agencies = {a.code: a for a in Agency.objects.filter(code__in=codes)}
        missing = sorted(set(codes) - set(agencies))
        if missing:
            raise ScenarioError(f"unknown agencies: {', '.join(missing)} (load the units first)")
        self.agencies = agencies
        self.units: dict[str, AdministrativeUnit] = {
            code: unit_at(code, params.period_end) for code in params.ward_units
        }
        first_desk = params.city_desk or params.desk_pattern.format(params.ward_units[0])
        self.calendar: WorkingCalendar = calendar_for(agency=agencies[first_desk])
        versions = list(
            ProcedureVersion.objects.select_related("procedure", "competent_agency")
            .prefetch_related("components", "fees")
            .order_by("procedure__code", "version")
        )
        if not versions:
            raise ScenarioError("the catalogue is empty (load the demo catalogue first)")
        # Pools by (city level?, offered online?, certification?, has a fee?).
        self.pools: dict[tuple[bool, bool, bool, bool], list[ProcedureVersion]] = {}
        for v in versions:
            if v.level == ProcedureLevel.PROVINCE:
                continue
            if v.level == ProcedureLevel.DISTRICT and v.competent_agency is None:
                continue
            key = (
                v.level == ProcedureLevel.DISTRICT,
                v.online_level != OnlineLevel.NONE,
                v.is_certification,
                sum(f.amount for f in v.fees.all()) > 0,
            )
            self.pools.setdefault(key, []).append(v)


def _choose(rng: random.Random, items: list[int], count: int, what: str) -> set[int]:
    if count > len(items):
        raise ScenarioError(f"{what}: {count} asked, only {len(items)} possible")
    return set(rng.sample(items, count))


def _plan(params: ScenarioParams, rng: random.Random) -> list[_Plan]:
    """Every dossier's plan: the period's (its figures drawn exactly), then the carried and
    prior ones, then where and how each goes, then the pending states a working day needs."""
    plans = _period_plans(params, rng)
    everyone = list(range(len(plans)))
    online_share = params.received_online / len(plans) if plans else 0.0
    for group, count in (("carried", params.carried_over), ("prior", params.prior_resolved)):
        for _ in range(count):
            channel = Channel.ONLINE if rng.random() < online_share else Channel.DIRECT
            plans.append(_Plan(group, channel.value, digitised=rng.random() < 0.7))
    for p in plans:
        p.supplement = not p.late and rng.random() < params.supplement_share
        p.denied = not p.pending and not p.late and rng.random() < params.denied_share
        if rng.random() >= params.city_share:
            p.ward = rng.choice(params.ward_units)
    _force_states(params, rng, plans, everyone)
    return plans


def _period_plans(params: ScenarioParams, rng: random.Random) -> list[_Plan]:
    """The dossiers received in the period, with exactly the counts the parameters ask."""
    if params.received_postal > params.received_direct:
        raise ScenarioError("received_postal: more than received_direct")
    channels = (
        [Channel.ONLINE.value] * params.received_online
        + [Channel.DIRECT.value] * (params.received_direct - params.received_postal)
        + [Channel.POSTAL.value] * params.received_postal
    )
    rng.shuffle(channels)
    plans = [_Plan("period", ch) for ch in channels]
    everyone = list(range(params.received))
    for i in _choose(rng, everyone, params.pending, "pending"):
        plans[i].pending = True
    resolved = [i for i in everyone if not plans[i].pending]
    for i in _choose(rng, resolved, params.late_resolved, "late_resolved"):
        plans[i].late = True
    for i in _choose(rng, everyone, params.certification_dossiers, "certification_dossiers"):
        plans[i].certification = True
    certified = [i for i in resolved if plans[i].certification]
    for i in _choose(rng, certified, params.e_certified, "e_certification_rate"):
        plans[i].e_certified = True
    _draw_payments(params, rng, plans, everyone)
    for i in _choose(rng, everyone, params.digitised, "digitisation_rate"):
        plans[i].digitised = True
    return plans


def _draw_payments(
    params: ScenarioParams, rng: random.Random, plans: list[_Plan], everyone: list[int]
) -> None:
    """Which dossiers owe a fee (every certification does) and which of the online ones paid
    it online."""
    if params.obligations < params.certification_dossiers:
        raise ScenarioError("obligations: fewer than certification_dossiers (they all pay a fee)")
    others = [i for i in everyone if not plans[i].certification]
    for i in _choose(
        rng, others, params.obligations - params.certification_dossiers, "obligations"
    ):
        plans[i].obligation = True
    for p in plans:
        p.obligation = p.obligation or p.certification
    payable = [i for i in everyone if plans[i].obligation and plans[i].channel == Channel.ONLINE]
    for i in _choose(rng, payable, params.paid_online, "paid_online"):
        plans[i].paid_online = True


def _force_states(
    params: ScenarioParams, rng: random.Random, plans: list[_Plan], everyone: list[int]
) -> None:
    """Give some pending dossiers of the period the states a working day needs (overdue, due
    on the next two working days, awaiting a supplement)."""
    states = (
        ("overdue", params.overdue),
        ("due_next", params.due_next),
        ("due_after_next", params.due_after_next),
        ("supplement", params.awaiting_supplement),
    )
    forced = sum(count for _state, count in states)
    if not forced:  # no draw: the 2024 scenario's dossiers stay exactly as they were
        return
    pending = sorted(_choose(rng, [i for i in everyone if plans[i].pending], forced, "pending"))
    rng.shuffle(pending)
    for state, count in states:
        for i in pending[:count]:
            plans[i].state = state
            plans[i].supplement = state == "supplement"
        pending = pending[count:]


# -- timelines -------------------------------------------------------------------------------


def _local(day: date, clock: time = time(0, 0)) -> datetime:
    return datetime.combine(day, clock, LOCAL_TZ)


class _Clock:
    def __init__(self, calendar: WorkingCalendar, params: ScenarioParams) -> None:
        self.cal = calendar
        self.params = params
        self.spd = calendar.office_hours.seconds_per_day
        self.start = _local(params.period_start)
        self.end = _local(params.period_end + timedelta(days=1))  # exclusive
        day = params.period_end
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
        # The last working minute of the period: nothing happens after it.
        self.last = _local(day, calendar.office_hours.sessions[-1].end) - timedelta(minutes=1)
        day = params.period_start - timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
        self.last_before = _local(day, calendar.office_hours.sessions[-1].end) - timedelta(
            minutes=1
        )
        self.first_in = calendar.next_working_moment(self.start)
        self._working_days: dict[tuple[date, date], list[date]] = {}
        # The first and second working days after the period (for dossiers due on them).
        following = [params.period_end + timedelta(days=n) for n in range(1, 30)]
        following = [d for d in following if calendar.is_working_day(d)]
        self.after_end = {"due_next": following[0], "due_after_next": following[1]}

    def working_days(self, first: date, last: date) -> list[date]:
        """The working days in [first, last], oldest first (cached: the periods repeat)."""
        key = (first, last)
        if key not in self._working_days:
            self._working_days[key] = self._count_working_days(first, last)
        return self._working_days[key]

    def _count_working_days(self, first: date, last: date) -> list[date]:
        days, day = [], first
        while day <= last:
            if self.cal.is_working_day(day):
                days.append(day)
            day += timedelta(days=1)
        if not days:
            raise ScenarioError(f"no working day between {first} and {last}")
        return days

    def moment_in(self, rng: random.Random, day: date) -> datetime:
        """A working moment of ``day`` (whole minutes), away from the day's close."""
        opening = self.cal.next_working_moment(_local(day))
        moment = self.add(opening, rng.randrange(60, self.spd - 900) // 60 * 60)
        # A session's end is not working time (the next session's start is the same instant).
        return self.cal.next_working_moment(moment).astimezone(LOCAL_TZ)

    def add(self, start: datetime, seconds: float) -> datetime:
        return self.cal.add_working_seconds(start, max(1, int(seconds))).astimezone(LOCAL_TZ)

    def span(self, first: datetime, second: datetime) -> int:
        return self.cal.between(first, second).seconds

    def between(self, rng: random.Random, first: datetime, second: datetime, lo: float) -> datetime:
        """A working moment strictly inside (first, second), at least ``lo`` of the way."""
        return self.add(first, self.span(first, second) * rng.uniform(lo, 0.97))


def _pick_version(
    world: _World, rng: random.Random, plan: _Plan, day: date, *, free: bool = False
) -> ProcedureVersion:
    key = (
        not plan.ward,
        plan.channel == Channel.ONLINE,
        plan.certification,
        plan.obligation and not free,
    )
    pool = [v for v in world.pools.get(key, []) if v.is_in_force_on(day)]
    if not key[1]:  # direct and postal dossiers may be for any procedure
        alt = (key[0], True, key[2], key[3])
        pool += [v for v in world.pools.get(alt, []) if v.is_in_force_on(day)]
    if not pool:
        raise ScenarioError(f"no procedure in force on {day} for {key}")
    return rng.choice(pool)


def _receipt_days(clock: _Clock, plan: _Plan) -> list[date]:
    """The working days a dossier of this plan may be received on."""
    p = clock.params
    if plan.group == "prior":
        return clock.working_days(p.history_start, p.period_start - timedelta(days=35))
    if plan.group == "carried":
        days = clock.working_days(p.period_start - timedelta(days=21), p.period_start)
        return [d for d in days if d < p.period_start]
    if plan.state == "overdue":
        first = max(p.period_start, p.period_end - timedelta(days=70))
        return clock.working_days(first, p.period_end - timedelta(days=20))
    if plan.state in ("due_next", "due_after_next"):
        return clock.working_days(p.period_end - timedelta(days=25), p.period_end)
    if plan.pending:
        return clock.working_days(p.pending_from, p.period_end)
    if plan.late:
        return clock.working_days(p.period_start, p.period_end - timedelta(days=35))
    return clock.working_days(p.period_start, p.period_end)


def _horizon(clock: _Clock, plan: _Plan, due: datetime) -> datetime | None:
    """The moment by which the dossier's story must be told (its due moment, or the period's
    last working minute); None when a dossier due then cannot be what the plan asks."""
    if plan.group == "prior":
        return min(due, clock.last_before)
    if plan.state == "overdue":
        # At least a working day overdue.
        return None if clock.add(due, clock.spd) >= clock.last else clock.last
    if plan.pending:
        if due <= clock.end:
            return None
        if plan.state in clock.after_end and due.date() != clock.after_end[plan.state]:
            return None
        return clock.last
    return min(due, clock.last)


def _timeline(world: _World, clock: _Clock, rng: random.Random, plan: _Plan) -> bool:
    """Choose the receipt day, procedure and moments; False if this try does not fit."""
    day = rng.choice(_receipt_days(clock, plan))
    version = _pick_version(world, rng, plan, day, free=plan.group != "period")
    online = plan.channel == Channel.ONLINE
    received = clock.moment_in(rng, day)
    submitted = received - timedelta(minutes=rng.randrange(0, 900)) if online else received
    due = clock.cal.due(received, *version.time_limit_for(online=online)).astimezone(LOCAL_TZ)
    t: dict[str, Any] = {"submitted": submitted, "received": received, "due": due}
    horizon = _horizon(clock, plan, due)
    if horizon is None:
        return False
    if plan.group == "carried" and due <= clock.add(clock.first_in, 3600):
        return False
    if plan.late and clock.add(due, 2 * clock.spd) >= clock.last:
        return False
    lower = received if plan.group != "carried" else max(received, clock.first_in)
    if not plan.late and clock.span(lower, horizon) < 1800:
        return False
    t["transfer"] = clock.add(received, min(1200, clock.span(received, horizon) * 0.05))
    effective, pause_end = due, None
    if plan.supplement:
        effective, pause_end, horizon = _supplement(clock, rng, plan, t, horizon)
    t["effective"] = effective
    if not plan.pending:
        floor = max(lower, pause_end or lower)
        if not _resolution(clock, rng, plan, t, floor, horizon):
            return False
    plan.version, plan.times = version, t
    return True


def _supplement(
    clock: _Clock, rng: random.Random, plan: _Plan, t: dict[str, Any], horizon: datetime
) -> tuple[datetime, datetime | None, datetime]:
    """The supplement pause, in ``t["pause"]`` when it fits: (effective due, the pause's end,
    the horizon moved by the pause). A pending dossier's pause has not ended."""
    due = t["due"]
    start = clock.add(t["transfer"], clock.span(t["transfer"], horizon) * 0.2)
    end = clock.add(start, rng.randrange(1, 3) * clock.spd)
    if plan.pending:
        if start < clock.last:
            t["pause"] = (start, None)
    elif end < min(clock.add(due, clock.span(start, end)), clock.last):
        t["pause"] = (start, end)
        effective = clock.add(due, clock.span(start, end))
        horizon = min(effective, clock.last_before if plan.group == "prior" else clock.last)
        return effective, end, horizon
    return due, None, horizon


def _resolution(
    clock: _Clock,
    rng: random.Random,
    plan: _Plan,
    t: dict[str, Any],
    floor: datetime,
    horizon: datetime,
) -> bool:
    """The resolution (late ones with an apology and a new appointment), the return and the
    rating, before the period's end; False if the dossier cannot be resolved in time."""
    floor = max(floor, t["transfer"])
    effective = t["effective"]
    if plan.late:
        t["resolved"] = clock.add(effective, rng.randrange(3600, 2 * clock.spd))
        t["apology"] = clock.between(rng, t["transfer"], effective, 0.5)
        t["reappointed"] = clock.add(t["resolved"], clock.spd)
    else:
        if clock.span(floor, horizon) < 600:
            return False
        t["resolved"] = clock.between(rng, floor, horizon, 0.2)
    limit = clock.last_before if plan.group == "prior" else clock.last
    returned = clock.add(t["resolved"], rng.randrange(600, 3 * clock.spd))
    if returned < limit and rng.random() < 0.97:
        t["returned"] = returned
        if rng.random() < clock.params.rated_share:
            t["rated"] = clock.add(returned, rng.randrange(60, 3600))
            if t["rated"] >= limit:
                del t["rated"]
    return True


# -- records ---------------------------------------------------------------------------------


def _after_the_period(world: _World, clock: _Clock, rng: random.Random) -> list[_Plan]:
    """Dossiers of the day after the period: online ones submitted after its last close, not
    yet received (their official receipt moment is the next opening, §1.5), and counter ones
    received in the next day's first working hour when that day is a working day, up to the
    moment of loading (``loaded_at``)."""
    p = clock.params
    plans = []
    close = clock.last + timedelta(minutes=1)  # the last session's end
    window = int((clock.end - close).total_seconds()) - 600
    for _ in range(p.waiting_online):
        plan = _Plan("waiting", Channel.ONLINE.value, ward=rng.choice(p.ward_units))
        plan.obligation = plan.paid_online = rng.random() < 0.4
        submitted = close + timedelta(seconds=300 + rng.randrange(window) // 60 * 60)
        plan.version = _pick_version(world, rng, plan, submitted.date())
        plan.times = {"submitted": submitted}
        plans.append(plan)
    next_day = p.period_end + timedelta(days=1)
    if p.next_morning and clock.cal.is_working_day(next_day):
        opening = clock.cal.next_working_moment(_local(next_day))
        for _ in range(p.next_morning):
            plan = _Plan("today", Channel.DIRECT.value, pending=True, ward=rng.choice(p.ward_units))
            plan.obligation = rng.random() < 0.5
            plan.version = _pick_version(world, rng, plan, next_day)
            received = clock.add(opening, rng.randrange(60, 2700) // 60 * 60)
            due = clock.cal.due(received, *plan.version.time_limit_for(online=False))
            due = due.astimezone(LOCAL_TZ)
            transfer = clock.add(received, 600)
            plan.times = {"submitted": received, "received": received, "due": due,
                          "transfer": transfer, "effective": due}  # fmt: skip
            if p.loaded_at is None or transfer <= p.loaded_at:
                plans.append(plan)
    return plans


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(LOCAL_TZ).isoformat()


# The step a dossier in an open state stands at; closed ones are "Hoàn thành".
CURRENT_STEPS = {
    Status.SUBMITTED.value: "Chờ tiếp nhận",
    Status.RECEIVED.value: "Tiếp nhận hồ sơ",
    Status.IN_PROCESSING.value: "Thẩm định hồ sơ",
    Status.AWAITING_SUPPLEMENT.value: "Chờ bổ sung hồ sơ",
}
PAID = PaymentEventKind.SUCCEEDED.value
CASH = PaymentMethod.CASH.value


@dataclass(frozen=True)
class _Applicant:
    """Who applied: a person (with an ID number and a birth date) or an organisation."""

    name: str
    organisation: bool
    id_number: str
    birth: date | None
    unit: AdministrativeUnit
    unit_code: str


@dataclass
class _Draft:
    """One dossier's record while it is built: its parties, then its events step by step."""

    plan: _Plan
    version: ProcedureVersion
    desk: str
    competent: str | None
    leader: str
    applicant: _Applicant
    clerk: str
    officer: str
    fee: int
    status: str = ""
    events: list[dict[str, Any]] = field(default_factory=list)
    pay_event: dict[str, Any] | None = None
    pauses: list[dict[str, Any]] = field(default_factory=list)
    extensions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def times(self) -> dict[str, Any]:
        return self.plan.times

    @property
    def online(self) -> bool:
        return self.plan.channel == Channel.ONLINE

    @property
    def resolved(self) -> bool:
        return "resolved" in self.plan.times

    @property
    def transferred(self) -> bool:
        return self.status not in (Status.RECEIVED, Status.SUBMITTED)

    def event(self, at: datetime, actor: str, action: str, to: str, **extra: Any) -> None:
        """Append an event; it starts from the state the previous one ended in."""
        self.events.append(
            {
                "seq": len(self.events) + 1,
                "at": _iso(at),
                "actor": actor,
                "action": action,
                "from": self.events[-1]["to"] if self.events else "",
                "to": to,
                "reason": extra.pop("reason", ""),
                "data": extra,
            }
        )

    def pay_cash(self, at: datetime, status: str) -> None:
        """The fee paid in cash at the counter at ``at``."""
        self.pay_event = {"kind": PAID, "amount": self.fee, "method": CASH,
                          "reference": "", "at": _iso(at)}  # fmt: skip
        self.event(at, self.clerk, "pay", status,
                   payment={"amount": self.fee, "method": CASH, "reference": ""})  # fmt: skip


class _Builder:
    """Turns plans into history records. The steps of :meth:`record` draw from the one random
    generator in a fixed order: reordering them changes every dossier after the first."""

    def __init__(self, world: _World, params: ScenarioParams, rng: random.Random) -> None:
        self.world, self.params, self.rng = world, params, rng
        self.staff: dict[str, str] = {}
        self.known = {**KNOWN_CLERKS, **dict(params.known_staff)}
        self.leaders = dict(params.ward_leaders)
        self.assignees = dict(params.assignees)

    def staff_name(self, key: str) -> str:
        if key not in self.staff:
            self.staff[key] = self.known.get(key) or _person(self.rng)[0]
        return self.staff[key]

    def record(self, plan: _Plan) -> dict[str, Any]:
        """The history record of a planned dossier (the format of ``dossiers.history``)."""
        draft = self._draft(plan)
        draft.status = self._status(plan)
        components, result_digitised = self._components(draft)
        self._receipt(draft)
        self._transfer(draft)
        self._pause(draft)
        self._apology(draft)
        kind = self._resolution(draft)
        method = self._return(draft)
        rating = self._rating(draft)
        applicant = self._applicant_record(draft)
        return {
            "code": plan.code,
            "procedure": draft.version.procedure.code,
            "procedure_version": draft.version.version,
            "receiving_agency": draft.desk,
            "competent_agency": draft.competent if draft.transferred else None,
            "applicant": applicant,
            "channel": plan.channel,
            "sets": 1,
            "summary": draft.version.name,
            "components": components,
            **self._moments(draft),
            "supplement_requests": len(draft.pauses),
            "pauses": draft.pauses,
            "extensions": draft.extensions,
            "status": draft.status,
            "current_step": CURRENT_STEPS.get(draft.status, "Hoàn thành"),
            "assignee": self._assignee(draft),
            **self._result(draft, kind, result_digitised),
            "returned_at": _iso(plan.times.get("returned")),
            "return_method": method or None,
            "ended_at": None,
            "payments": self._payments(draft),
            "rating": rating,
            "events": draft.events,
        }

    def _draft(self, plan: _Plan) -> _Draft:
        """The dossier's agencies and people: the applicant is drawn before the staff."""
        params, version = self.params, plan.version
        assert version is not None
        desk = params.desk_pattern.format(plan.ward) if plan.ward else params.city_desk
        competent = (
            params.committee_pattern.format(plan.ward)
            if plan.ward
            else version.competent_agency.code
            if version.competent_agency
            else None
        )
        applicant = self._applicant(plan)
        clerk, officer = self.staff_name(desk), self.staff_name(competent or desk + "/officer")
        return _Draft(
            plan=plan,
            version=version,
            desk=desk,
            competent=competent,
            leader=self.leaders.get(plan.ward, params.leader),
            applicant=applicant,
            clerk=clerk,
            officer=officer,
            fee=sum(f.amount for f in version.fees.all()) if plan.obligation else 0,
        )

    def _applicant(self, plan: _Plan) -> _Applicant:
        """A person (ID number of the Bắc Kạn shape) or, about one in sixteen, a company."""
        rng = self.rng
        unit_code = plan.ward or rng.choice(self.params.ward_units)
        unit = self.world.units[unit_code]
        if rng.random() < 0.06:
            name = f"{rng.choice(COMPANIES)} {rng.choice(COMPANY_NAMES)}"
            return _Applicant(name, True, "", None, unit, unit_code)
        name, female = _person(rng)
        birth = date(rng.randrange(1950, 2006), rng.randrange(1, 13), rng.randrange(1, 29))
        century = (birth.year - 1900) // 100 * 2 + (1 if female else 0)
        id_number = f"006{century}{birth.year % 100:02d}{rng.randrange(10**6):06d}"
        return _Applicant(name, False, id_number, birth, unit, unit_code)

    def _status(self, plan: _Plan) -> str:
        """The dossier's state at the period's end; some pending ones not yet transferred."""
        t = plan.times
        if plan.group == "waiting":
            return Status.SUBMITTED.value
        if "resolved" in t:
            return Status.RETURNED.value if "returned" in t else Status.RESOLVED.value
        if "pause" in t and t["pause"][1] is None:
            return Status.AWAITING_SUPPLEMENT.value
        if plan.pending and self.rng.random() < 0.15:
            return Status.RECEIVED.value
        return Status.IN_PROCESSING.value

    def _components(self, draft: _Draft) -> tuple[list[dict[str, Any]], bool]:
        """The papers handed in, and whether the result is digitised (766 indicator 4.2)."""
        rng, plan = self.rng, draft.plan
        components = [
            {
                "name": c.name,
                "originals": c.originals,
                "certified_copies": c.certified_copies,
                "photocopies": c.photocopies,
                "digitised": True,
            }
            for c in draft.version.components.all()
        ] or [{"name": "Tờ khai", "originals": 1, "digitised": True}]
        result_digitised = draft.resolved and plan.digitised
        if not plan.digitised:  # at least one paper, and perhaps the result, not digitised
            for c in components:
                c["digitised"] = rng.random() < 0.5
            components[rng.randrange(len(components))]["digitised"] = False
            result_digitised = draft.resolved and rng.random() < 0.5
        return components, result_digitised

    def _receipt(self, draft: _Draft) -> None:
        """Submission (online) or receipt at the counter, with the fee paid then if it is."""
        plan, t = draft.plan, draft.times
        received_changes = {"received_at": _iso(t.get("received")), "due_at": _iso(t.get("due"))}
        basics = {"procedure": draft.version.procedure.code, "channel": plan.channel,
                  "fee": draft.fee}  # fmt: skip
        if draft.online:
            draft.event(t["submitted"], draft.applicant.name, "create", Status.SUBMITTED.value,
                        **basics)  # fmt: skip
            if plan.paid_online:
                self._pay_online(draft)
            if plan.group != "waiting":
                draft.event(t["received"], draft.clerk, "receive", Status.RECEIVED.value,
                            changes=received_changes)  # fmt: skip
        else:
            draft.event(t["received"], draft.clerk, "receive", Status.RECEIVED.value,
                        changes=received_changes, **basics)  # fmt: skip
            if plan.obligation:
                draft.pay_cash(t["received"], Status.RECEIVED.value)

    def _pay_online(self, draft: _Draft) -> None:
        """The fee paid with the online submission, mostly through the national portal."""
        t, fee = draft.times, draft.fee
        method = (
            PaymentMethod.ONLINE_NATIONAL
            if self.rng.random() < self.params.online_national_share
            else PaymentMethod.ONLINE_LOCAL
        ).value
        reference = f"{draft.plan.code}-{t['submitted']:%Y%m%d%H%M%S}"
        draft.pay_event = {"kind": PAID, "amount": fee, "method": method,
                           "reference": reference, "at": _iso(t["submitted"])}  # fmt: skip
        payment = {"amount": fee, "method": method, "reference": reference}
        draft.event(t["submitted"], draft.applicant.name, "pay", Status.SUBMITTED.value,
                    payment=payment)  # fmt: skip

    def _assignee(self, draft: _Draft) -> str | None:
        """The account the dossier was handed to at its transfer (none before it)."""
        if not draft.transferred or draft.competent is None:
            return None
        return self.assignees.get(draft.competent)

    def _transfer(self, draft: _Draft) -> None:
        """The transfer to the competent agency, unless the dossier is still at the desk."""
        if not draft.transferred:
            return
        changes = {
            "competent_agency": draft.competent,
            "current_agency": draft.competent,
            "current_step": "Xử lý",
        }
        assignee = self._assignee(draft)
        if assignee is not None:  # (not in 2024's events: they name no account)
            changes["assignee"] = assignee
        # The same shape as a live transfer's event, so the control sheet (form 05) reads it.
        draft.event(
            draft.times["transfer"],
            draft.clerk,
            "transfer",
            Status.IN_PROCESSING.value,
            from_agency=draft.desk,
            deliverer=draft.clerk,
            changes=changes,
        )

    def _pause(self, draft: _Draft) -> None:
        """A supplement asked for, and supplied unless the dossier still waits for it."""
        t = draft.times
        if "pause" not in t or not draft.transferred:
            return
        start, end = t["pause"]
        draft.pauses.append({"reason": "supplement", "start": _iso(start), "end": _iso(end),
                             "note": SUPPLEMENT_REASON})  # fmt: skip
        draft.event(start, draft.officer, "request_supplement", Status.AWAITING_SUPPLEMENT.value,
                    reason=SUPPLEMENT_REASON)  # fmt: skip
        if end is not None:
            draft.event(end, draft.applicant.name, "supplement", Status.IN_PROCESSING.value)

    def _apology(self, draft: _Draft) -> None:
        """A late dossier's apology (form 04) with its new appointment, signed by the leader."""
        t = draft.times
        if "apology" not in t:
            return
        draft.extensions.append({"old_due_at": _iso(t["effective"]),
                                 "new_due_at": _iso(t["reappointed"]), "reason": APOLOGY,
                                 "signed_by": draft.leader, "at": _iso(t["apology"])})  # fmt: skip
        draft.event(t["apology"], draft.leader, "apologise", Status.IN_PROCESSING.value,
                    reason=APOLOGY, signed_by=draft.leader)  # fmt: skip

    def _resolution(self, draft: _Draft) -> str:
        """The decision and its timeliness ("" while unresolved); a fee still owed is paid in
        cash when the result is collected."""
        if not draft.resolved:
            return ""
        plan, t = draft.plan, draft.times
        kind = timeliness_of(
            self.world.calendar,
            finished_at=t["resolved"],
            due_at=t["effective"],
            supplement_requests=len(draft.pauses),
        ).value
        action = "deny" if plan.denied else "approve"
        draft.event(t["resolved"], draft.officer, action, Status.RESOLVED.value,
                    reason=DENIAL if plan.denied else "")  # fmt: skip
        if plan.obligation and draft.pay_event is None and "returned" in t:
            draft.pay_cash(t["returned"], Status.RESOLVED.value)
        return kind

    def _return(self, draft: _Draft) -> str:
        """How the result went back to the applicant ("" while not returned)."""
        if "returned" not in draft.times:
            return ""
        method = (
            ReturnMethod.POST
            if draft.plan.channel == Channel.POSTAL
            else ReturnMethod.ONLINE
            if draft.online and self.rng.random() < 0.5
            else ReturnMethod.COUNTER
        ).value
        draft.event(draft.times["returned"], draft.clerk, "return_result", Status.RETURNED.value,
                    return_method=method)  # fmt: skip
        return method

    def _rating(self, draft: _Draft) -> dict[str, Any] | None:
        """The applicant's rating of a returned dossier, if she gave one."""
        if "rated" not in draft.times:
            return None
        rng, params, at = self.rng, self.params, draft.times["rated"]
        satisfied = rng.random() < params.satisfied_share
        level = (
            RatingLevel.NOT_SATISFIED
            if not satisfied
            else RatingLevel.VERY_SATISFIED
            if rng.random() < params.very_satisfied_share
            else RatingLevel.SATISFIED
        ).value
        draft.event(at, draft.applicant.name, "rate", Status.RETURNED.value, rating=level)
        return {"level": level, "comment": "", "at": _iso(at)}

    def _payments(self, draft: _Draft) -> list[dict[str, Any]]:
        """The financial obligation of a dossier with a fee, with its payment if made."""
        plan, t = draft.plan, draft.times
        if not plan.obligation:
            return []
        created = t["submitted"] if plan.paid_online else t["received"]
        return [{"amount": draft.fee, "description": draft.version.name[:300],
                 "created_at": _iso(created),
                 "events": [draft.pay_event] if draft.pay_event else []}]  # fmt: skip

    def _applicant_record(self, draft: _Draft) -> dict[str, Any]:
        """The applicant as the record holds her, with a phone and an address drawn now."""
        rng, applicant = self.rng, draft.applicant
        return {
            "kind": "organisation" if applicant.organisation else "person",
            "name": applicant.name,
            "id_number": applicant.id_number,
            "birth_date": applicant.birth.isoformat() if applicant.birth else None,
            "phone": f"09{rng.randrange(10**8):08d}",
            "email": "",
            "address": f"Tổ {rng.randrange(1, 20)}, {applicant.unit.name}, "
            f"{self.params.address_place}",
            "unit": applicant.unit_code,
        }

    @staticmethod
    def _moments(draft: _Draft) -> dict[str, str | None]:
        """Submission, receipt and the due moments; a pending dossier's effective due is its
        due (its pause, if any, has not ended)."""
        t, pending = draft.times, draft.plan.pending
        return {
            "submitted_at": _iso(t["submitted"]),
            "received_at": _iso(t.get("received")),
            "due_at": _iso(t.get("due")),
            "effective_due_at": _iso(t.get("effective") if not pending else t.get("due")),
            "reappointed_due_at": _iso(t.get("reappointed")),
        }

    def _result(self, draft: _Draft, kind: str, result_digitised: bool) -> dict[str, Any]:
        """The decision's fields (None while unresolved); an online dossier's result is
        electronic half the time."""
        plan, resolved = draft.plan, draft.resolved
        result_form = (
            (
                ResultForm.ELECTRONIC
                if draft.online and self.rng.random() < 0.5
                else ResultForm.PAPER
            ).value
            if resolved
            else None
        )
        return {
            "resolved_at": _iso(draft.times.get("resolved")),
            "outcome": (Outcome.DENIED if plan.denied else Outcome.APPROVED).value
            if resolved
            else None,
            "denial_reason": DENIAL if resolved and plan.denied else "",
            "timeliness": kind or None,
            "result_form": result_form,
            "result_digitised": result_digitised,
            "electronic_certification": plan.e_certified and resolved,
        }


def generate(params: ScenarioParams = BAC_KAN_2024) -> Iterator[dict[str, Any]]:
    """The scenario's dossiers as history records, oldest submission first.

    Deterministic for a seed and a database holding the same units and catalogue. Raises
    :class:`ScenarioError` when the parameters cannot be met.
    """
    rng = random.Random(params.seed)
    world = _World(params)
    clock = _Clock(world.calendar, params)
    plans = _plan(params, rng)
    for plan in plans:
        # A forced state (a due day to hit) takes more tries than a free one.
        for _ in range(3000 if plan.state else 200):
            if _timeline(world, clock, rng, plan):
                break
        else:
            raise ScenarioError(f"cannot place a {plan.group} dossier ({plan}) in its period")
    if params.waiting_online or params.next_morning:  # (no draw otherwise, as in 2024)
        plans += _after_the_period(world, clock, rng)
    # Codes: {agency electronic code}-{yyMMdd}-{NNNN}, per agency and day, in submission order.
    plans.sort(key=lambda p: (p.times["submitted"], p.ward))
    sequence: dict[tuple[str, date], int] = {}
    for plan in plans:
        desk = world.agencies[
            params.desk_pattern.format(plan.ward) if plan.ward else params.city_desk
        ]
        day = plan.times["submitted"].astimezone(LOCAL_TZ).date()
        number = sequence[(desk.code, day)] = sequence.get((desk.code, day), 0) + 1
        plan.code = f"{desk.electronic_code}-{day:%y%m%d}-{number:04d}"
    builder = _Builder(world, params, rng)
    late = 0
    for plan in plans:
        record = builder.record(plan)
        late += record["timeliness"] == "late" and plan.group != "prior"
        yield record
    if late != params.late_resolved:  # a guard on the construction, not on the input
        raise ScenarioError(f"{late} late dossiers generated, {params.late_resolved} asked")


def scenario_lines(params: ScenarioParams = BAC_KAN_2024) -> Iterator[str]:
    """The scenario as a history file, line by line."""
    yield json.dumps(HEADER)
    for record in generate(params):
        yield json.dumps(record, ensure_ascii=False)


def load_scenario(params: ScenarioParams = BAC_KAN_2024) -> ImportReport:
    """Generate the scenario and import it as history; nothing new when it is already loaded.

    It is imported now: without a moment of loading (``ScenarioParams.loaded_at``), now is
    that moment, so the counter receipts of a morning still ahead are not made (the import
    refuses what has not happened: a scenario ending yesterday, loaded after midnight, made
    this morning's receipts at 07:22 and was refused whole)."""
    if params.loaded_at is None:
        params = replace(params, loaded_at=timezone.now())
    lines = list(scenario_lines(params))
    codes = [json.loads(line)["code"] for line in lines[1:]]
    stored = 0
    for start in range(0, len(codes), 500):
        stored += Dossier.objects.filter(code__in=codes[start : start + 500]).count()
    if codes and stored == len(codes):
        return ImportReport(lines=len(lines), unchanged=codes)
    return import_history(lines, label=f"scenario:{params.label}")
