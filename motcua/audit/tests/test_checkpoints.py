"""Each dossier's own hash chain, its tip, the signed checkpoints and the gapless daily codes:
``motcua audit verify`` names every kind of tampering done with raw SQL, with no global chain
that every writer would have to lock (docs/dossiers.md, "Audit")."""

from __future__ import annotations

import zlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from motcua.audit.models import Checkpoint, CheckpointBucket
from motcua.audit.services import audit_checkpoint, audit_verify
from motcua.audit.tests.test_verify import make_legacy
from motcua.core import chain, workflow
from motcua.dossiers.choices import ReturnMethod
from motcua.dossiers.events import event_hash
from motcua.dossiers.models import ChainHead, Dossier, DossierEvent
from motcua.dossiers.tests.conftest import local
from motcua.dossiers.tests.conftest import world as world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

A = workflow.Action


@pytest.fixture
def history(world):
    """Two dossiers of one agency and day (codes …-0001 and …-0002): first #1..#4,
    second #1..#2, each in its own chain."""
    first = world.create(at="02/01/2024 08:00")
    second = world.create(at="02/01/2024 08:10")
    world.take(first, A.TRANSFER, "02/01/2024 09:00", actor=world.clerk)
    world.take(second, A.TRANSFER, "02/01/2024 09:05", actor=world.clerk)
    world.take(first, A.APPROVE, "03/01/2024 10:00", actor=world.officer)
    world.take(
        first,
        A.RETURN_RESULT,
        "03/01/2024 11:00",
        actor=world.clerk,
        return_method=ReturnMethod.COUNTER,
    )
    return first, second


def event(dossier, seq):
    return DossierEvent.objects.get(dossier=dossier, seq=seq)


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def findings():
    return [(p.ident, p.kind) for p in audit_verify()]


def _delete_rows(model, where: str, params: list) -> None:
    """Delete ``model``'s rows matching ``where`` and, first, every row pointing at them."""
    table = model._meta.db_table
    for relation in model._meta.related_objects:
        if relation.many_to_many or relation.related_model is model:
            continue
        child = relation.related_model
        column = relation.field.column
        _delete_rows(child, f"{column} IN (SELECT id FROM {table} WHERE {where})", params)
    sql(f"DELETE FROM {table} WHERE {where}", params)


def delete_dossier(dossier):
    """What a forger with database access does: the dossier and everything of it, gone."""
    _delete_rows(Dossier, "id = %s", [dossier.pk])


def test_new_events_carry_no_global_place(history):
    first, _second = history
    assert set(DossierEvent.objects.values_list("chain_seq", "chain_prev_hash")) == {(None, "")}
    assert not ChainHead.objects.exists()
    assert event(first, 2).prev_hash == event(first, 1).hash
    assert audit_verify() == []


def test_it_names_an_edited_event(history):
    first, _second = history
    sql(
        "UPDATE dossiers_dossierevent SET reason = %s WHERE id = %s", ["Đã sửa", event(first, 3).pk]
    )
    problems = audit_verify()
    assert [(p.ident, p.kind) for p in problems] == [(f"{first.code} #3", "edited")]
    assert problems[0].detail == "nội dung không khớp với mã băm của nó"


def test_it_names_a_deleted_event(history):
    first, _second = history
    sql("DELETE FROM dossiers_dossierevent WHERE id = %s", [event(first, 2).pk])
    problems = audit_verify()
    assert [(p.ident, p.kind) for p in problems] == [(f"{first.code} #2", "missing")]
    assert problems[0].detail == "sự kiện #2 của hồ sơ này đã bị xoá (trước #3)"


def test_it_names_a_deleted_last_event_by_the_tip_on_the_dossier(history):
    first, _second = history
    sql("DELETE FROM dossiers_dossierevent WHERE id = %s", [event(first, 4).pk])
    assert findings() == [(f"{first.code} #4", "missing")]


def test_it_names_a_forged_event_with_a_correct_hash(history):
    """A forger who computes a valid hash but leaves the dossier's tip is caught by it."""
    first, _second = history
    last = event(first, 4)
    forged = DossierEvent(
        dossier=first,
        seq=5,
        at=local("04/01/2024 08:00"),
        recorded_at=local("04/01/2024 08:00"),
        actor_name="Kẻ giả mạo",
        action="rate",
        from_status="returned",
        to_status="returned",
        data={},
        prev_hash=last.hash,
    )
    forged.hash = event_hash(forged, first.code)
    forged.save()
    assert findings() == [(f"{first.code} #4", "inserted")]


def test_it_names_two_events_whose_numbers_were_swapped(history):
    first, _second = history
    two, three = event(first, 2), event(first, 3)
    sql("UPDATE dossiers_dossierevent SET seq = 99 WHERE id = %s", [two.pk])
    sql("UPDATE dossiers_dossierevent SET seq = 2 WHERE id = %s", [three.pk])
    sql("UPDATE dossiers_dossierevent SET seq = 3 WHERE id = %s", [two.pk])
    problems = audit_verify()
    assert [(p.ident, p.kind) for p in problems] == [
        (f"{first.code} #2", "reordered"),
        (f"{first.code} #3", "reordered"),
    ]
    assert problems[0].detail == "ghi nhận là #3, nay ở #2"


def test_a_checkpoint_is_signed_linked_and_verified(history, settings):
    settings.MOTCUA_AUDIT_KEY = "khoá kiểm toán"
    one = audit_checkpoint()
    assert (one.dossiers, one.prev_hash) == (2, chain.GENESIS)
    assert chain.signature_valid(
        b"kho\xc3\xa1 ki\xe1\xbb\x83m to\xc3\xa1n", one.hash, one.signature
    )
    two = audit_checkpoint()
    assert two.prev_hash == one.hash
    out = StringIO()
    call_command("audit", "checkpoint", stdout=out)
    assert out.getvalue().endswith(": 2 hồ sơ đã được ký\n")
    assert Checkpoint.objects.count() == 3
    assert audit_verify() == []
    assert audit_verify() == []


def test_it_names_a_dossier_deleted_after_a_checkpoint(history, world):
    first, second = history
    audit_checkpoint()
    world.take(second, A.APPROVE, "03/01/2024 15:00", actor=world.officer)  # a legitimate write
    assert audit_verify() == []
    delete_dossier(second)
    problems = audit_verify()
    # Once by the checkpoint's leaf, once by the agency's counter (number 2 issued, gone).
    assert [(p.ident, p.kind) for p in problems] == [
        (second.code, "missing"),
        (second.code, "missing"),
    ]
    assert problems[0].detail.startswith("số 2 của ngày 02/01/2024 đã được bộ đếm")
    assert problems[1].detail.startswith(f"hồ sơ (id {second.pk}, 2 sự kiện) được ghi nhận")


def test_it_names_a_dossier_deleted_before_any_checkpoint_by_its_code(history):
    first, _second = history
    delete_dossier(first)
    problems = audit_verify()
    assert [(p.ident, p.kind) for p in problems] == [(first.code, "missing")]
    assert problems[0].detail == (
        "số 1 của ngày 02/01/2024 đã được bộ đếm của cơ quan cấp (cuối cùng 2) "
        "nhưng không hồ sơ nào mang số này: đã bị xoá"
    )


def test_it_names_a_history_rewritten_with_fresh_hashes_before_the_checkpoint(history):
    """A forger without the audit key rewrites a dossier's events and tip consistently: the
    dossier's chain holds, the signed checkpoint does not."""
    first, _second = history
    audit_checkpoint()
    previous = event(first, 1).hash
    for seq in (2, 3, 4):
        stored = event(first, seq)
        if seq == 3:
            stored.reason = "Đã sửa"
        stored.prev_hash = previous
        stored.hash = event_hash(stored, first.code)
        sql(
            "UPDATE dossiers_dossierevent SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",
            [stored.reason, stored.prev_hash, stored.hash, stored.pk],
        )
        previous = stored.hash
    sql("UPDATE dossiers_dossier SET last_event_hash = %s WHERE id = %s", [previous, first.pk])
    problems = audit_verify()
    assert [(p.ident, p.kind) for p in problems] == [(f"{first.code} #4", "edited")]
    assert problems[0].detail.startswith("lịch sử đến #4 đã bị viết lại sau điểm kiểm tra lúc ")


def test_it_names_a_changed_checkpoint(history):
    audit_checkpoint()
    latest = audit_checkpoint()
    sql("UPDATE audit_checkpoint SET dossiers = 1 WHERE id = %s", [latest.pk])
    assert [p.kind for p in audit_verify()] == ["edited"]
    sql("UPDATE audit_checkpoint SET dossiers = 2 WHERE id = %s", [latest.pk])
    sql("DELETE FROM audit_checkpointbucket WHERE checkpoint_id = %s", [latest.pk - 1])
    sql("DELETE FROM audit_checkpoint WHERE id = %s", [latest.pk - 1])
    problems = audit_verify()
    assert [p.kind for p in problems] == ["missing"]
    assert problems[0].ident.startswith("điểm kiểm tra lúc ")


def test_it_names_changed_leaves(history):
    first = Dossier.objects.get(pk=history[0].pk)
    checkpoint = audit_checkpoint()
    bucket = CheckpointBucket.objects.get(checkpoint=checkpoint)
    # The second dossier's leaf taken out, as if it had never been there.
    leaf = f"{first.pk}\t4\t{first.last_event_hash[:8]}\t{first.code}"
    bucket.leaves = zlib.compress(leaf.encode())
    bucket.save()
    problems = audit_verify()
    assert [p.kind for p in problems] == ["edited"]
    assert "đã bị thay đổi" in problems[0].detail


def test_legacy_events_and_new_ones_chain_on(history, world):
    """A dossier whose first events were written into the global chain gets new events in
    its own chain only, linked after its legacy tip; both verify."""
    first, second = history
    make_legacy()
    assert ChainHead.objects.get().last_seq == 6
    world.take(second, A.APPROVE, "03/01/2024 15:00", actor=world.officer)
    new = event(second, 3)
    assert (new.chain_seq, new.chain_prev_hash) == (None, "")
    assert new.prev_hash == event(second, 2).hash
    audit_checkpoint()
    assert audit_verify() == []
    sql("UPDATE dossiers_dossierevent SET reason = %s WHERE id = %s", ["Đã sửa", new.pk])
    assert findings() == [(f"{second.code} #3", "edited")]


def test_the_command_reports_a_deleted_dossier(history):
    first, _second = history
    delete_dossier(first)
    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("audit", "verify", "--lang", "en", stdout=out)
    assert raised.value.returncode == 1
    assert out.getvalue().startswith(f"{first.code}: missing (deleted) — number 1 of 02/01/2024")
