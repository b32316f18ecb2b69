"""The sync against the contract simulator (a separate HTTP process): push and progress,
every injected fault with nothing lost or duplicated and no status out of order,
reconciliation and resync, bad replies, the disabled default. Both databases."""

from __future__ import annotations

import logging
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from motcua.core import workflow
from motcua.dossiers.choices import Channel, ReturnMethod, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.tests.test_services import PATHS, act
from motcua.dossiers.tests.world import build_world
from motcua.national.client import NationalClient
from motcua.national.mapping import mapping_table
from motcua.national.models import NationalRecord
from motcua.national.selectors import national_config
from motcua.national.services import national_reconcile, national_resync, national_sync

pytestmark = pytest.mark.django_db(transaction=True)
A = workflow.Action


@pytest.fixture
def world(transactional_db):
    return build_world()


def lifecycle(world, n: int, *, day: int = 2):
    """``n`` dossiers received at the counter, transferred, approved and returned (the last
    ones stop earlier when ``stop`` says so)."""
    dossiers = []
    for i in range(n):
        dossier = world.create(at=f"{day:02d}/04/2024 08:{i:02d}")
        dossiers.append(dossier)
    return dossiers


def advance(world, dossier, steps, day: int = 3):
    for minute, (action, details) in enumerate(steps, start=1):
        dossier = act(world, dossier, action, f"{day:02d}/04/2024 10:{minute:02d}", **details)
    return dossier


FULL = [
    (A.TRANSFER, {}),
    (A.APPROVE, {}),
    (A.RETURN_RESULT, {"return_method": ReturnMethod.COUNTER}),
]


def expected_history(dossier) -> list[int]:
    """The national statuses the dossier passed through, in order, without repeats."""
    table = mapping_table()
    codes: list[int] = []
    for event in DossierEvent.objects.filter(dossier=dossier).order_by("seq"):
        if table.send_for(event.action) == "nothing":
            continue
        code = table.code_for(event.to_status)
        if not codes or codes[-1] != code:
            codes.append(code)
    return codes


def assert_in_step(sim, dossiers):
    """The portal shows each dossier with motcua's status, having passed through every
    status in order, each step once; no problem recorded by the simulator."""
    table = mapping_table()
    on_portal = sim.dossiers()
    for dossier in dossiers:
        dossier.refresh_from_db()
        got = on_portal[dossier.code]
        assert got["item"]["TrangThaiHoSo"] == table.code_for(dossier.status)
        assert got["history"] == expected_history(dossier), dossier.code
        sent_steps = [
            e
            for e in DossierEvent.objects.filter(dossier=dossier)
            if table.send_for(e.action) == "dossier_and_progress"
        ]
        assert len(got["progress"]) == len(sent_steps)
    assert [p for p in sim.problems() if p["kind"] != "redelivered"] == []


def test_disabled_by_default_says_so_and_touches_nothing(world, simulator, capsys):
    world.create()
    with translation.override("vi"):
        call_command("sync", "national", "--once")
    assert "đang tắt" in capsys.readouterr().out
    assert NationalRecord.objects.count() == 0
    assert simulator.received() == []


def test_push_and_progress_for_every_state(world, national_on):
    dossiers = []
    for minute, (status, steps) in enumerate(PATHS.items()):
        dossier = world.create(channel=Channel.ONLINE, at=f"02/01/2024 08:{minute:02d}", fee=20000)
        for n, (action, details) in enumerate(steps, start=1):
            dossier = act(world, dossier, action, f"02/01/2024 09:{minute:02d}", **details)
            # one second apart in time, in order
            del n
        assert dossier.status == status
        dossiers.append(dossier)
    report = national_sync(once=False)
    assert report.failed == []
    assert_in_step(national_on, dossiers)
    payload = national_on.dossiers()[dossiers[0].code]["item"]
    assert payload["MaHoSo"] == dossiers[0].code  # exactly as issued
    assert len(payload["NgayNopHoSo"]) == 14
    assert payload["NgayNopHoSo"].isdigit()
    assert payload["KenhThucHien"] == 2
    assert payload["TaiLieuNop"][0]["DuocSoHoa"] == 1
    assert payload["HoSoCoThanhPhanSoHoa"] == 1
    assert payload["DuocThanhToanTrucTuyen"] == 0
    for record in NationalRecord.objects.all():
        assert record.acked_seq == record.wanted_seq
        assert not record.pending


def test_wire_format_dates_and_online_payment(world, national_on):
    from motcua.payments.choices import PaymentMethod

    dossier = world.create(at="02/04/2024 13:05", fee=30000)
    dossier = act(
        world,
        dossier,
        A.PAY,
        "02/04/2024 14:07",
        payment_method=PaymentMethod.ONLINE_NATIONAL,
        amount=30000,
    )
    national_sync(once=False)
    item = national_on.dossiers()[dossier.code]["item"]
    assert item["NgayNopHoSo"] == "20240402130500"  # 24-hour, Vietnam time
    assert item["DuocThanhToanTrucTuyen"] == 1


def test_later_events_are_sent_in_order_after_the_first_push(world, national_on):
    dossiers = lifecycle(world, 3)
    national_sync(once=False)
    dossiers = [advance(world, d, FULL) for d in dossiers]
    national_sync(once=False)
    assert_in_step(national_on, dossiers)
    assert national_on.dossiers()[dossiers[0].code]["history"] == [2, 4, 9, 10]


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "timeout", "seconds": 1.5, "service": "CapNhatTienDoHoSoMC", "count": 2},
        {"kind": "timeout", "seconds": 1.5, "service": "DongBoHoSoMC", "count": 1},
        {"kind": "error_5xx", "count": 3},
        {"kind": "twice", "count": 4},
        {"kind": "reorder", "seconds": 0.3, "count": 2},
        {"kind": "garbage", "service": "CapNhatTienDoHoSoMC", "count": 2},
        {"kind": "refuse", "count": 2},
    ],
    ids=lambda f: f"{f['kind']}-{f.get('service', 'any')}",
)
def test_a_fault_loses_and_duplicates_nothing(world, national_on, fault):
    dossiers = lifecycle(world, 2)
    national_sync(once=False)
    dossiers = [advance(world, d, FULL) for d in dossiers]
    national_on.fault(**fault)
    first = national_sync(once=False)
    if fault["kind"] in ("twice", "reorder"):
        # Seen by the portal only: a proxy's second delivery, a held request.
        assert first.failed == []
    else:
        assert first.failed, "the fault was seen"
    # Later events of a failed dossier waited; the next passes repair it.
    for _ in range(5):
        if not NationalRecord.objects.filter(pending=True).exists():
            break
        NationalRecord.objects.update(next_attempt_at=None)
        national_sync(once=False)
    assert not NationalRecord.objects.filter(pending=True).exists()
    assert_in_step(national_on, dossiers)
    if fault["kind"] == "twice":
        assert any(call["redelivered"] for call in national_on.received())


def test_an_expired_session_logs_in_again_and_sends_once(world, national_on):
    client = NationalClient(national_config())
    dossiers = lifecycle(world, 2)
    national_sync(once=False, client=client)
    national_on.fault("expire_sessions")
    dossiers = [advance(world, d, FULL) for d in dossiers]
    report = national_sync(once=False, client=client)
    assert report.failed == []
    assert client.logins == 2  # once at first, once more after the expiry
    assert_in_step(national_on, dossiers)


def test_a_failed_dossier_waits_and_others_proceed(world, national_on, settings):
    settings.MOTCUA_NATIONAL = {**settings.MOTCUA_NATIONAL, "RETRY_SECONDS": 60}
    first, second = lifecycle(world, 2)
    national_sync(once=False)
    first, second = advance(world, first, FULL), advance(world, second, FULL)
    # Refuse the next call: the first dossier in line fails, its later steps wait.
    national_on.fault("refuse", count=1)
    report = national_sync(once=False)
    assert len(report.failed) == 1
    failed = NationalRecord.objects.get(pending=True)
    done = NationalRecord.objects.get(pending=False)
    assert done.acked_seq == done.wanted_seq
    portal = national_on.dossiers()
    assert portal[failed.code]["history"] == [2]  # nothing later shown early
    assert portal[done.code]["history"] == [2, 4, 9, 10]
    out = StringIO()
    with translation.override("en"):
        call_command("sync", "national", "status", stdout=out)
    assert "2 dossiers synchronised, 1 waiting, 1 failing" in out.getvalue()
    assert f"{failed.code}\t1\trefused\tDongBoHoSoMC: error_code 99" in out.getvalue()


def test_bad_replies_are_named_in_the_log(world, national_on, caplog):
    world.create(at="02/04/2024 08:00")
    national_on.fault("garbage", count=1)
    with caplog.at_level(logging.WARNING, logger="motcua.national"):
        report = national_sync(once=True)
    assert "malformed JSON reply" in report.failed[0]
    assert "malformed JSON reply" in caplog.text
    record = NationalRecord.objects.get()
    assert record.uncertain
    assert "DongBoHoSoMC" in record.last_error
    national_on.fault("refuse", count=1)
    NationalRecord.objects.update(next_attempt_at=None)
    with caplog.at_level(logging.WARNING, logger="motcua.national"):
        report = national_sync(once=True)
    assert "error_code 99: Lỗi hệ thống (giả lập)" in report.failed[0]
    assert "error_code 99" in caplog.text


def test_reconciliation_zero_then_three_then_resync(world, national_on):
    dossiers = lifecycle(world, 6)
    dossiers[:3] = [advance(world, d, FULL) for d in dossiers[:3]]
    national_sync(once=False)
    assert national_reconcile().differences == []
    dropped = national_on.fault("drop_last", count=3)["dropped"]
    run = national_reconcile()
    assert sorted(d["code"] for d in run.differences) == sorted(dropped)
    assert {d["kind"] for d in run.differences} == {"missing"}
    outcome = national_resync(all_differences=True)
    assert sorted(outcome) == sorted(dropped)
    assert national_reconcile().differences == []
    assert_in_step(national_on, dossiers)


def test_a_stale_dossier_is_found_and_repaired(world, national_on):
    (dossier,) = lifecycle(world, 1)
    national_sync(once=False)
    advance(world, dossier, FULL[:1])  # transferred locally, not yet synchronised
    run = national_reconcile()
    assert [(d["code"], d["kind"]) for d in run.differences] == [(dossier.code, "stale")]
    national_resync(codes=[dossier.code])
    assert national_reconcile().differences == []


def test_commands(world, national_on, capsys):
    translation.activate("en")
    lifecycle(world, 2)
    call_command("sync", "national", "--once", "--limit", "10")
    assert "acknowledged" in capsys.readouterr().out
    call_command("sync", "national", "reconcile")
    assert "0 differences" in capsys.readouterr().out
    with pytest.raises(Exception, match="--limit"):
        call_command("sync", "national", "--limit", "x")
    with pytest.raises(Exception, match="--date"):
        call_command("sync", "national", "reconcile", "--date", "31/02/2024")
    assert Dossier.objects.filter(status=Status.RECEIVED).count() == 2
    translation.activate("vi")
    call_command("sync", "national", "status")
    assert "2 hồ sơ đã đồng bộ, 0 đang chờ gửi, 0 đang lỗi" in capsys.readouterr().out


def test_the_worker_pass_syncs_and_reconciles_yesterday_once(world, national_on):
    from datetime import datetime

    from motcua.core.clock import LOCAL_TZ
    from motcua.national.models import Reconciliation
    from motcua.national.services import national_tick

    (dossier,) = lifecycle(world, 1)
    evening = datetime(2024, 4, 3, 23, 30, tzinfo=LOCAL_TZ)
    report = national_tick(now=evening)
    assert report is not None
    assert report.sent == 1
    assert national_on.dossiers()[dossier.code]["history"] == [2]
    national_tick(now=evening)
    runs = Reconciliation.objects.filter(daily=True)
    assert [(r.day.isoformat(), r.checked, r.differences) for r in runs] == [("2024-04-02", 1, [])]


def test_motcua_worker_runs_the_sync(world, national_on):
    from io import StringIO

    (dossier,) = lifecycle(world, 1)
    # 07:00: before any scheduled job of the day, so only the sync's pass does something.
    call_command("worker", "--once", "--at", "03/04/2024 07:00", stdout=StringIO())
    assert national_on.dossiers()[dossier.code]["history"] == [2]
    assert not NationalRecord.objects.filter(pending=True).exists()
