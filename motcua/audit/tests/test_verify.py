"""``motcua audit verify`` finds every kind of tampering with raw SQL in the legacy global
chain (events written before it was retired, still verified), and the app refuses it.

The dossiers' own chains and the checkpoints are tested in ``test_checkpoints``."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from motcua.audit.services import audit_verify
from motcua.core import chain, workflow
from motcua.dossiers.choices import ReturnMethod
from motcua.dossiers.events import event_content, event_hash
from motcua.dossiers.models import ChainHead, DossierEvent
from motcua.dossiers.services import Details, dossier_transition
from motcua.dossiers.tests.conftest import local
from motcua.dossiers.tests.conftest import world as world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

A = workflow.Action


def make_legacy():
    """Rewrite the stored events as an older version wrote them: every event also linked in
    one global chain (``chain_seq``, ``chain_prev_hash``) whose tip is the ``ChainHead`` row."""
    previous, tips = chain.GENESIS, {}
    events = DossierEvent.objects.select_related("dossier").order_by("id")
    for number, stored in enumerate(events, start=1):
        stored.chain_seq, stored.chain_prev_hash = number, previous
        stored.prev_hash = tips.get(stored.dossier_id, chain.GENESIS)
        stored.hash = event_hash(stored, stored.dossier.code)
        sql(
            "UPDATE dossiers_dossierevent SET chain_seq = %s, chain_prev_hash = %s,"
            " prev_hash = %s, hash = %s WHERE id = %s",
            [number, previous, stored.prev_hash, stored.hash, stored.pk],
        )
        sql(
            "UPDATE dossiers_dossier SET last_event_hash = %s WHERE id = %s",
            [stored.hash, stored.dossier_id],
        )
        previous, tips[stored.dossier_id] = stored.hash, stored.hash
    ChainHead.objects.update_or_create(
        pk=1, defaults={"last_seq": DossierEvent.objects.count(), "last_hash": previous}
    )


@pytest.fixture
def history(world):
    """Two dossiers, interleaved in the global chain: first #1..#4, second #1..#2."""
    first = world.create(at="02/01/2024 08:00")
    second = world.create(at="02/01/2024 08:10")
    dossier_transition(
        dossier_id=first.pk, action=A.TRANSFER, actor=world.clerk, at=local("02/01/2024 09:00")
    )
    dossier_transition(
        dossier_id=second.pk, action=A.TRANSFER, actor=world.clerk, at=local("02/01/2024 09:05")
    )
    dossier_transition(
        dossier_id=first.pk, action=A.APPROVE, actor=world.officer, at=local("03/01/2024 10:00")
    )
    dossier_transition(
        dossier_id=first.pk,
        action=A.RETURN_RESULT,
        actor=world.clerk,
        details=Details(return_method=ReturnMethod.COUNTER),
        at=local("03/01/2024 11:00"),
    )
    make_legacy()
    return first, second


def event(dossier, seq):
    return DossierEvent.objects.get(dossier=dossier, seq=seq)


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def findings():
    return [(p.ident, p.kind) for p in audit_verify()]


def run_verify():
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_it_passes_a_clean_history(history):
    assert audit_verify() == []
    assert run_verify() == "Toàn vẹn: 6 sự kiện, chuỗi hợp lệ\n"


def test_it_passes_an_empty_history(db):
    assert run_verify() == "Toàn vẹn: 0 sự kiện, chuỗi hợp lệ\n"


def test_it_names_an_edited_reason(history):
    first, _second = history
    target = event(first, 3)
    sql("UPDATE dossiers_dossierevent SET reason = %s WHERE id = %s", ["Đã sửa", target.pk])
    assert findings() == [(f"{first.code} #3", "edited")]
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify", stdout=out)
    assert raised.value.returncode == 1
    assert str(raised.value) == "Toàn vẹn: 6 sự kiện, 1 vấn đề"
    assert out.getvalue() == (f"{first.code} #3: bị sửa — nội dung không khớp với mã băm của nó\n")


def test_it_names_an_edited_time_in_english(history):
    first, _second = history
    sql(
        "UPDATE dossiers_dossierevent SET at = %s WHERE id = %s",
        [local("03/01/2024 09:00"), event(first, 3).pk],
    )
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", "--lang", "en", stdout=out)
    assert out.getvalue() == f"{first.code} #3: edited — its content does not match its hash\n"


def test_it_names_a_deleted_event(history):
    first, _second = history
    sql("DELETE FROM dossiers_dossierevent WHERE id = %s", [event(first, 2).pk])
    problems = audit_verify()
    assert [(p.ident, p.kind) for p in problems] == [(f"{first.code} #2", "missing")]
    assert problems[0].detail == "sự kiện #2 của hồ sơ này đã bị xoá (trước #3)"


def test_it_names_a_deleted_last_event_of_the_chain(history):
    first, _second = history
    sql("DELETE FROM dossiers_dossierevent WHERE id = %s", [event(first, 4).pk])
    problems = audit_verify()
    # The global chain says an event is gone; the dossier's own tip says whose it was.
    assert [(p.ident, p.kind) for p in problems] == [
        ("sự kiện chung #6", "missing"),
        (f"{first.code} #4", "missing"),
    ]
    assert problems[0].detail == (
        "đầu chuỗi ghi nhận #6 nhưng các sự kiện kết thúc ở #5: đã bị xoá"
    )


def test_it_names_a_forged_event_with_a_correct_hash(history, world):
    """A forger who computes a valid hash is still caught by the chain head."""
    first, _second = history
    last = event(first, 4)
    head = ChainHead.objects.get()
    forged = DossierEvent(
        dossier=first,
        seq=5,
        chain_seq=head.last_seq + 1,
        at=local("04/01/2024 08:00"),
        recorded_at=local("04/01/2024 08:00"),
        actor_name="Kẻ giả mạo",
        action="rate",
        from_status="returned",
        to_status="returned",
        reason="",
        data={},
        prev_hash=last.hash,
        chain_prev_hash=head.last_hash,
    )
    forged.hash = chain.event_hash(
        event_content(forged, first.code), forged.prev_hash, forged.chain_prev_hash
    )
    sql(
        "INSERT INTO dossiers_dossierevent (dossier_id, seq, chain_seq, at, recorded_at, "
        "actor_name, action, from_status, to_status, reason, data, prev_hash, chain_prev_hash, "
        "hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [
            first.pk,
            5,
            forged.chain_seq,
            forged.at,
            forged.recorded_at,
            forged.actor_name,
            forged.action,
            forged.from_status,
            forged.to_status,
            "",
            "{}",
            forged.prev_hash,
            forged.chain_prev_hash,
            forged.hash,
        ],
    )
    problems = audit_verify()
    assert [(p.ident, p.kind) for p in problems] == [(f"{first.code} #5", "inserted")]
    assert problems[0].detail == "sự kiện chung #7 không nằm trong phạm vi đầu chuỗi (#6)"


def test_it_names_two_events_whose_numbers_were_swapped(history):
    first, _second = history
    two, three = event(first, 2), event(first, 3)
    sql("UPDATE dossiers_dossierevent SET seq = 99 WHERE id = %s", [two.pk])
    sql("UPDATE dossiers_dossierevent SET seq = 2 WHERE id = %s", [three.pk])
    sql("UPDATE dossiers_dossierevent SET seq = 3 WHERE id = %s", [two.pk])
    problems = audit_verify()
    assert [(p.ident, p.kind) for p in problems] == [
        (f"{first.code} #3", "reordered"),
        (f"{first.code} #2", "reordered"),
    ]
    assert problems[0].detail == "ghi nhận là #2 (chung #3), nay ở #3 (chung #3)"


def test_it_names_two_events_swapped_in_the_global_chain(history):
    first, second = history
    a, b = event(first, 2), event(second, 2)  # global #3 and #4
    sql("UPDATE dossiers_dossierevent SET chain_seq = 99 WHERE id = %s", [a.pk])
    sql("UPDATE dossiers_dossierevent SET chain_seq = 3 WHERE id = %s", [b.pk])
    sql("UPDATE dossiers_dossierevent SET chain_seq = 4 WHERE id = %s", [a.pk])
    # The next event's global link now points at the wrong predecessor: named as well.
    assert findings() == [
        (f"{second.code} #2", "reordered"),
        (f"{first.code} #2", "reordered"),
        (f"{first.code} #3", "reordered"),
    ]


def test_the_application_refuses_to_change_or_delete_an_event(history):
    first, _second = history
    stored = event(first, 1)
    stored.reason = "Đã sửa"
    with pytest.raises(TypeError, match="append-only"):
        stored.save()
    with pytest.raises(TypeError, match="append-only"):
        stored.delete()
    with pytest.raises(TypeError, match="append-only"):
        DossierEvent.objects.filter(dossier=first).update(reason="x")
    with pytest.raises(TypeError, match="append-only"):
        DossierEvent.objects.filter(dossier=first).delete()
    with pytest.raises(TypeError, match="append-only"):
        DossierEvent.objects.all().delete()
    assert DossierEvent.objects.count() == 6
    assert event(first, 1).reason == ""
    assert audit_verify() == []
