"""History import and export: facts kept, whole files refused, idempotent, chained, round trip."""

from __future__ import annotations

import io
import json
from argparse import ArgumentParser
from datetime import timedelta
from typing import Any

import pytest
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import User
from motcua.accounts.services import user_create_or_update
from motcua.audit.services import audit_verify
from motcua.core import workflow
from motcua.core.chain import GENESIS
from motcua.dossiers.choices import Channel, ReturnMethod
from motcua.dossiers.history import (
    HEADER,
    HistoryImportError,
    dossier_record,
    export_history,
    import_history,
)
from motcua.dossiers.management.history_cli import add_import_export, handle_import_export
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import Details, dossier_transition
from motcua.dossiers.tests.conftest import local
from motcua.feedback.choices import RatingLevel
from motcua.payments.choices import PaymentMethod

pytestmark = pytest.mark.django_db

A = workflow.Action


def record(**changes: Any) -> dict[str, Any]:
    """A returned dossier of the world's procedure, received at the city desk."""
    base: dict[str, Any] = {
        "code": "000.00.58.H06-240102-0001",
        "procedure": "1.000001",
        "receiving_agency": "BPMC-058",
        "competent_agency": "PTP-058",
        "applicant": {"name": "Nông Thị Hoa", "id_number": "006190012345", "unit": "01840"},
        "channel": "online",
        "components": [{"name": "Tờ khai", "originals": 1, "digitised": True}],
        "submitted_at": "2024-01-01T21:10:00+07:00",
        "received_at": "2024-01-02T07:00:00+07:00",
        "due_at": "2024-01-09T07:00:00+07:00",
        "status": "returned",
        "resolved_at": "2024-01-05T10:00:00+07:00",
        "outcome": "approved",
        "result_form": "electronic",
        "result_digitised": True,
        "returned_at": "2024-01-05T15:00:00+07:00",
        "return_method": "online",
        "payments": [
            {
                "amount": 20000,
                "description": "Lệ phí",
                "created_at": "2024-01-01T21:10:00+07:00",
                "events": [
                    {
                        "amount": 20000,
                        "method": "online_national",
                        "reference": "X-20240101211000",
                        "at": "2024-01-01T21:12:00+07:00",
                    }
                ],
            }
        ],
        "rating": {"level": "very_satisfied", "at": "2024-01-05T16:00:00+07:00"},
        "events": [
            {"at": "2024-01-01T21:10:00+07:00", "actor": "Nông Thị Hoa", "action": "create",
             "to": "submitted"},
            {"at": "2024-01-02T07:00:00+07:00", "actor": "Hoàng Thị Lan", "action": "receive",
             "from": "submitted", "to": "received"},
            {"at": "2024-01-02T08:00:00+07:00", "actor": "Hoàng Thị Lan", "action": "transfer",
             "from": "received", "to": "in_processing", "data": {"to_agency": "PTP-058"}},
            {"at": "2024-01-05T10:00:00+07:00", "actor": "Nông Văn Hùng", "action": "approve",
             "from": "in_processing", "to": "resolved"},
            {"at": "2024-01-05T15:00:00+07:00", "actor": "Hoàng Thị Lan",
             "action": "return_result", "from": "resolved", "to": "returned"},
        ],
    }  # fmt: skip
    base.update(changes)
    return base


def in_processing(**changes):
    """The same dossier still at the justice office, assigned to the world's officer."""
    base = record(
        status="in_processing",
        assignee="officer",
        resolved_at=None,
        outcome=None,
        result_form=None,
        result_digitised=False,
        returned_at=None,
        return_method=None,
        rating=None,
        events=record()["events"][:3],
    )
    base.update(changes)
    return base


def lines(*records, header=HEADER):
    out = [json.dumps(header)] if header is not None else []
    return out + [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]


@pytest.fixture
def units(world):
    """The applicant's ward as a unit code the file can name (the world has it)."""
    return world


def nothing_written():
    assert Dossier.objects.count() == 0
    assert DossierEvent.objects.count() == 0
    assert not Dossier.objects.filter(last_event_seq__gt=0).exists()


def test_it_imports_a_dossier_keeping_the_recorded_facts(units):
    # The printed due moment is kept even though the clock would say 09/01 07:00 + 5 days…
    report = import_history(lines(record(due_at="2024-01-10T17:00:00+07:00")), label="old.jsonl")
    assert report.created == ["000.00.58.H06-240102-0001"]
    assert report.events == 5
    dossier = Dossier.objects.get()
    assert dossier.imported is True
    assert dossier.due_at == local("10/01/2024 17:00")
    assert dossier.effective_due_at == local("10/01/2024 17:00")
    assert dossier.received_at == local("02/01/2024 07:00")
    assert dossier.timeliness == "early"  # not in the file: computed once from its facts
    assert dossier.applicant_unit == units.ward
    assert dossier.current_agency == units.justice
    payment = dossier.payments.get()
    assert [(e.method, e.amount) for e in payment.events.all()] == [("online_national", 20000)]
    assert dossier.rating.level == "very_satisfied"
    first = dossier.events.get(seq=1)
    assert first.data == {"import": {"source": "old.jsonl", "seq": 1}}
    assert first.actor is None
    assert first.actor_name == "Nông Thị Hoa"


def test_it_keeps_the_timeliness_the_file_gives(units):
    import_history(lines(record(timeliness="late")))
    assert Dossier.objects.get().timeliness == "late"


def test_it_refuses_the_whole_file_naming_every_bad_line(units):
    good = record(code="GOOD-1")
    bad_lines = lines(
        good,
        "{not json",
        record(code="B-1", procedure="9.999999"),
        record(code="B-2", receiving_agency="NOPE"),
        record(code="B-3", returned_at="2024-01-05T09:00:00+07:00"),
        record(code="B-4", received_at="2024-01-01T20:00:00+07:00"),
        record(
            code="B-5",
            pauses=[
                {
                    "reason": "supplement",
                    "start": "2024-01-03T08:00:00+07:00",
                    "end": "2024-01-03T07:30:00+07:00",
                }
            ],
        ),  # fmt: skip
        record(code="B-6", returned_at=None),
        record(code="B-7", applicant={"name": "X", "unit": "99999"}),
        record(code="B-8", received_at="2024-01-02 07:00"),
        record(code="GOOD-1"),
        record(code="B-9", colour="blue"),
    )
    events = record()["events"]
    events[2] = {**events[2], "from": "submitted"}
    bad_lines.append(json.dumps(record(code="B-10", events=events)))
    with pytest.raises(HistoryImportError) as caught:
        import_history(bad_lines)
    assert [str(e) for e in caught.value.errors] == [
        "dòng 3: không phải JSON hợp lệ (cột 2: Expecting property name enclosed in double quotes)",
        "dòng 4, procedure: không có thủ tục nào mã 9.999999",
        "dòng 5, receiving_agency: không có cơ quan nào mã NOPE",
        "dòng 6, returned_at: 2024-01-05T09:00:00+07:00 trước resolved_at "
        "(2024-01-05T10:00:00+07:00)",
        "dòng 7, received_at: 2024-01-01T20:00:00+07:00 trước submitted_at "
        "(2024-01-01T21:10:00+07:00)",
        "dòng 8, pauses[1].end: 2024-01-03T07:30:00+07:00 trước pauses[1].start "
        "(2024-01-03T08:00:00+07:00)",
        "dòng 9, returned_at: hồ sơ ở trạng thái “Đã trả kết quả” phải có trường này",
        "dòng 10, applicant.unit: không có đơn vị hành chính nào mã 99999 vào ngày 02/01/2024",
        "dòng 11, received_at: “2024-01-02 07:00” không phải ngày giờ kèm độ lệch múi giờ "
        "(ISO 8601, ví dụ 2024-01-02T08:15:00+07:00)",
        "dòng 12, code: hồ sơ GOOD-1 cũng có ở dòng 2",
        "dòng 13, colour: trường không xác định",
        "dòng 14, events[3].from: “submitted” không nối tiếp sự kiện trước, vốn kết thúc ở "
        "“received”",
    ]
    nothing_written()


def test_it_refuses_events_out_of_time_order(units):
    events = record()["events"]
    events[2] = {**events[2], "at": "2024-01-01T22:00:00+07:00"}
    with pytest.raises(HistoryImportError) as caught:
        import_history(lines(record(events=events)))
    assert [str(e) for e in caught.value.errors] == [
        "dòng 2, events[3].at: 2024-01-01T22:00:00+07:00 trước sự kiện trước "
        "(2024-01-02T07:00:00+07:00)"
    ]
    nothing_written()


def test_it_refuses_what_has_not_happened_yet_but_not_an_official_receipt_to_come(units):
    """As a live write (``services._moment``): a moment of something done more than
    ``RECORDING_SKEW`` ahead of the clock is refused with its field; a due date, and the
    official receipt moment of a submission after hours (the next opening, §1.5), are not."""
    ahead = (timezone.localtime() + timedelta(minutes=10)).replace(second=0, microsecond=0)
    soon = (timezone.localtime() + timedelta(minutes=2)).replace(microsecond=0)
    events = record()["events"]
    late_payment = record()["payments"]
    late_payment[0]["events"][0]["at"] = ahead.isoformat()

    with pytest.raises(HistoryImportError) as caught:
        import_history(
            lines(
                record(events=[*events[:-1], {**events[-1], "at": ahead.isoformat()}]),
                record(code="000.00.58.H06-240102-0002", payments=late_payment),
            )
        )

    shown = f"{ahead:%H:%M %d/%m/%Y} chưa tới: chỉ ghi nhận việc đã xảy ra"
    assert [str(e) for e in caught.value.errors] == [
        f"dòng 2, events[5].at: {shown}",
        f"dòng 3, payments[1].events[1].at: {shown}",
    ]
    nothing_written()

    # Submitted a moment ago (within the skew) after hours: received at the next opening.
    opening = (timezone.localtime() + timedelta(days=1)).replace(hour=7, minute=0, second=0)
    waiting = record(
        code="000.00.58.H06-240102-0003",
        status="received",
        submitted_at=soon.isoformat(),
        received_at=opening.replace(microsecond=0).isoformat(),
        due_at=(opening + timedelta(days=7)).replace(microsecond=0).isoformat(),
        resolved_at=None, outcome="", result_form="", result_digitised=False,
        returned_at=None, return_method="", payments=[], rating=None,
        events=[
            {**events[0], "at": soon.isoformat()},
            {**events[1], "at": soon.isoformat()},
        ],
    )  # fmt: skip
    assert import_history(lines(waiting)).created == ["000.00.58.H06-240102-0003"]


def test_it_refuses_a_file_without_the_header_or_of_another_version(units):
    with pytest.raises(HistoryImportError) as caught:
        import_history(lines(record(), header=None))
    assert str(caught.value.errors[0]).startswith("dòng 1, format: dòng đầu phải là tiêu đề")
    with pytest.raises(HistoryImportError) as caught:
        import_history(lines(record(), header={"format": "motcua-dossiers", "version": 2}))
    assert [str(e) for e in caught.value.errors] == [
        "dòng 1, version: không hỗ trợ phiên bản định dạng 2 (hệ thống này đọc phiên bản 1)"
    ]
    with pytest.raises(HistoryImportError) as caught:
        import_history([])
    assert [str(e) for e in caught.value.errors] == ["dòng 1: tệp trống"]
    nothing_written()


def test_it_imports_the_same_file_again_without_creating_anything(units):
    file = lines(record(), record(code="000.00.58.H06-240102-0002"))
    import_history(file)
    tips = set(Dossier.objects.values_list("code", "last_event_seq", "last_event_hash"))
    again = import_history(file)
    assert again.created == []
    assert again.unchanged == ["000.00.58.H06-240102-0001", "000.00.58.H06-240102-0002"]
    assert DossierEvent.objects.count() == 10
    assert set(Dossier.objects.values_list("code", "last_event_seq", "last_event_hash")) == tips


def test_it_refuses_a_known_code_with_different_content(units):
    import_history(lines(record()))
    count = DossierEvent.objects.count()
    changed = record(resolved_at="2024-01-05T11:00:00+07:00", outcome="approved")
    with pytest.raises(HistoryImportError) as caught:
        import_history(lines(record(code="NEW-1"), changed))
    assert [str(e) for e in caught.value.errors] == [
        "dòng 3, code: hồ sơ 000.00.58.H06-240102-0001 đã có với nội dung khác (resolved_at)"
    ]
    assert DossierEvent.objects.count() == count
    assert not Dossier.objects.filter(code="NEW-1").exists()


def test_it_assigns_a_dossier_to_the_account_the_file_names(units):
    report = import_history(lines(in_processing(), record(code="DONE-1", assignee="officer")))

    assert report.created == ["000.00.58.H06-240102-0001", "DONE-1"]
    # In processing, and kept once resolved and returned, as a live transfer's assignee is.
    assert Dossier.objects.get(code="000.00.58.H06-240102-0001").assignee == units.officer
    assert Dossier.objects.get(code="DONE-1").assignee == units.officer


def test_it_refuses_an_unknown_or_inactive_assignee_or_one_before_the_transfer(units):
    user_create_or_update(username="retired", full_name="Cán bộ đã nghỉ")
    User.objects.filter(username="retired").update(is_active=False)
    received = in_processing(status="received", events=record()["events"][:2])

    with pytest.raises(HistoryImportError) as caught:
        import_history(
            lines(
                in_processing(code="OK-1"),
                in_processing(code="BAD-1", assignee="nobody"),
                in_processing(code="BAD-2", assignee="retired"),
                received,
                in_processing(code="OK-2", assignee=""),  # empty: no one, as null
            )
        )

    assert [str(e) for e in caught.value.errors] == [
        "dòng 3, assignee: không có tài khoản cán bộ nào có tên đăng nhập nobody",
        "dòng 4, assignee: tài khoản retired đã ngừng hoạt động: hãy giao hồ sơ cho một cán bộ "
        "đang hoạt động",
        "dòng 5, assignee: hồ sơ ở trạng thái “Đã tiếp nhận” không được có trường này",
    ]
    nothing_written()


def test_a_stored_assignee_is_compared_and_an_officer_who_left_does_not_refuse_the_file(units):
    import_history(lines(in_processing()))
    User.objects.filter(pk=units.officer.pk).update(is_active=False)

    # The same file again, and one written before the field existed: nothing to do.
    assert import_history(lines(in_processing())).unchanged == ["000.00.58.H06-240102-0001"]
    without = in_processing()
    del without["assignee"]
    assert import_history(lines(without)).unchanged == ["000.00.58.H06-240102-0001"]
    with pytest.raises(HistoryImportError) as caught:
        import_history(lines(in_processing(assignee=None)))
    assert [str(e) for e in caught.value.errors] == [
        "dòng 2, code: hồ sơ 000.00.58.H06-240102-0001 đã có với nội dung khác (assignee)"
    ]
    assert Dossier.objects.get().assignee == units.officer


def test_it_chains_imported_events_in_their_dossiers_between_live_ones(units):
    units.create(at="02/01/2024 08:00")
    import_history(lines(record(code="OLD-1"), record(code="OLD-2", events=[])))
    live = units.create(at="03/01/2024 08:00")
    assert audit_verify() == []
    # Each event links to its dossier's previous one; none takes a place in a global chain.
    assert set(DossierEvent.objects.values_list("chain_seq", "chain_prev_hash")) == {(None, "")}
    imported = list(DossierEvent.objects.filter(dossier__code="OLD-1").order_by("seq"))
    assert [e.prev_hash for e in imported] == [GENESIS] + [e.hash for e in imported[:-1]]
    assert live.events.get().prev_hash == GENESIS
    # A dossier without events gets one, saying it was imported.
    only = DossierEvent.objects.get(dossier__code="OLD-2")
    assert (only.action, only.from_status, only.to_status) == ("import", "", "returned")


def test_an_imported_dossier_goes_on_live_from_where_its_history_ends(units):
    # Imported as resolved; the clerk then returns the result through the services.
    events = record()["events"][:4]
    import_history(
        lines(record(status="resolved", returned_at=None, return_method="", events=events))
    )
    dossier = Dossier.objects.get(code="000.00.58.H06-240102-0001")
    assert (dossier.last_event_seq, dossier.last_event_at) == (4, local("05/01/2024 10:00"))
    dossier = dossier_transition(
        dossier_id=dossier.pk,
        action=A.RETURN_RESULT,
        actor=units.clerk,
        details=Details(return_method=ReturnMethod.COUNTER),
        at=local("06/01/2024 08:00"),
    )
    assert list(dossier.events.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    assert audit_verify() == []


def test_it_advances_the_daily_code_counter_past_imported_codes(units):
    import_history(lines(record(code="000.00.58.H06-240102-0007")))
    created = units.create(at="02/01/2024 09:00")
    assert created.code == "000.00.58.H06-240102-0008"


def test_it_exports_and_imports_into_an_empty_database_giving_the_same_dossiers(units):
    w = units
    with transaction.atomic():
        returned = w.create(channel=Channel.ONLINE, at="01/01/2024 21:00", fee=30000)
        w.take(returned, A.PAY, "01/01/2024 21:05", as_applicant=True,
               payment_method=PaymentMethod.ONLINE_NATIONAL, payment_reference="R-1")  # fmt: skip
        w.take(returned, A.RECEIVE, "02/01/2024 07:30", actor=w.clerk)
        w.take(returned, A.TRANSFER, "02/01/2024 08:00", actor=w.clerk, assignee=w.officer)
        w.take(returned, A.REQUEST_SUPPLEMENT, "02/01/2024 09:00", actor=w.officer,
               reason="Thiếu giấy tờ")  # fmt: skip
        w.take(returned, A.SUPPLEMENT, "03/01/2024 09:00", as_applicant=True)
        w.take(returned, A.APOLOGISE, "04/01/2024 09:00", actor=w.officer, reason="Xác minh",
               new_due_at=local("20/01/2024 17:00"), signed_by="Lý Thị Hà")  # fmt: skip
        w.take(returned, A.APPROVE, "05/01/2024 10:00", actor=w.officer,
               result_digitised=True, electronic_certification=True)  # fmt: skip
        w.take(returned, A.RETURN_RESULT, "05/01/2024 14:00", actor=w.clerk,
               return_method=ReturnMethod.COUNTER)  # fmt: skip
        w.take(returned, A.RATE, "05/01/2024 14:10", as_applicant=True,
               rating=RatingLevel.SATISFIED)  # fmt: skip
        pending = w.create(at="08/01/2024 08:00")
        w.take(pending, A.TRANSFER, "08/01/2024 09:00", actor=w.clerk, assignee=w.officer)
        w.take(pending, A.REQUEST_SUPPLEMENT, "09/01/2024 09:00", actor=w.officer,
               reason="Thiếu bản sao")  # fmt: skip
        denied = w.create(at="10/01/2024 08:00", channel=Channel.POSTAL)
        w.take(denied, A.TRANSFER, "10/01/2024 09:00", actor=w.clerk)
        w.take(denied, A.DENY, "11/01/2024 09:00", actor=w.officer, reason="Không đủ điều kiện")
        withdrawn = w.create(at="12/01/2024 08:00")
        w.take(withdrawn, A.WITHDRAW, "12/01/2024 10:00", as_applicant=True, reason="Rút")
        import_history(lines(record()))
        out = io.StringIO()
        assert export_history(out) == 5
        before = {d.code: dossier_record(d) for d in Dossier.objects.all()}
        transaction.set_rollback(True)
    assigned = {code: r["assignee"] for code, r in before.items() if r["assignee"]}
    assert assigned == {returned.code: "officer", pending.code: "officer"}
    nothing_written()

    report = import_history(out.getvalue().splitlines())
    assert len(report.created) == 5
    after = {d.code: dossier_record(d) for d in Dossier.objects.all()}
    assert after == before
    assert audit_verify() == []
    again = io.StringIO()
    export_history(again)
    assert again.getvalue() == out.getvalue()


def test_it_exports_only_the_codes_or_unit_asked(units):
    import_history(lines(record(), record(code="W-1", receiving_agency="BPMC-01840")))
    out = io.StringIO()
    assert export_history(out, codes=["W-1"]) == 1
    assert json.loads(out.getvalue().splitlines()[1])["code"] == "W-1"
    out = io.StringIO()
    assert export_history(out, unit=units.ward) == 1
    out = io.StringIO()
    assert export_history(out, unit=units.city) == 2
    assert json.loads(out.getvalue().splitlines()[0]) == HEADER


def run(*argv):
    parser = ArgumentParser()
    add_import_export(parser.add_subparsers(dest="action", required=True))
    command = BaseCommand(stdout=io.StringIO())
    handle_import_export(command, vars(parser.parse_args(argv)))
    return command.stdout.getvalue()


def test_it_imports_and_exports_from_the_command_line(units, tmp_path):
    good = tmp_path / "old.jsonl"
    good.write_text("\n".join(lines(record())) + "\n", encoding="utf-8")
    assert run("import", str(good)) == (
        "1 hồ sơ đã nhập (5 sự kiện), 0 hồ sơ đã có và không đổi.\n"
    )
    assert run("import", str(good)) == (
        "0 hồ sơ đã nhập (0 sự kiện), 1 hồ sơ đã có và không đổi.\n"
    )
    target = tmp_path / "out.jsonl"
    assert run("export", str(target), "--unit", "058") == f"Đã ghi 1 hồ sơ vào {target}.\n"
    assert len(target.read_text(encoding="utf-8").splitlines()) == 2


def test_it_reports_a_refused_file_on_the_command_line(units, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        "\n".join(lines(record(code="A-1"), record(code="A-2", procedure="0.0"))),
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as caught:
        run("import", str(bad))
    assert str(caught.value) == (
        "Tệp bị từ chối, không nhập gì: 1 lỗi.\n  dòng 3, procedure: không có thủ tục nào mã 0.0"
    )
    nothing_written()
    with pytest.raises(CommandError, match="không có tệp"):
        run("import", str(tmp_path / "missing.jsonl"))
