"""``motcua dossiers``: every path of the lifecycle table from a terminal, and bad input refused."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.audit.services import audit_verify
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.feedback.choices import RatingLevel
from motcua.payments.models import PaymentEvent

pytestmark = pytest.mark.django_db


# The city's clerk receiving the test procedure at the city's one-stop desk.
CITY_DESK = ("--user", "clerk", "--procedure", "1.000001", "--agency", "BPMC-058")


def run(*args: str) -> str:
    out = StringIO()
    call_command("dossiers", *args, stdout=out)
    return out.getvalue()


def state():
    """Everything a refused command must leave untouched."""
    return (
        list(Dossier.objects.order_by("pk").values_list("code", "status", "version")),
        DossierEvent.objects.count(),
        PaymentEvent.objects.count(),
    )


def refused(*args: str) -> str:
    before = state()
    with pytest.raises(CommandError) as raised:
        run(*args)
    assert state() == before
    return str(raised.value)


def receive(*extra: str, channel: str = "direct", at: str = "02/01/2024 08:00") -> str:
    out = run(
        "receive",
        *CITY_DESK,
        "--channel",
        channel,
        "--name",
        "Nguyễn Văn An",
        "--id-number",
        "006190012345",
        "--phone",
        "0912345678",
        "--email",
        "an@example.vn",
        "--address",
        "Tổ 1, phường Đức Xuân",
        "--component",
        "Tờ khai [1/0/0]*",
        "--component",
        "Bản sao CCCD [0/1/0]",
        "--at",
        at,
        *extra,
    )
    return out.splitlines()[0].removeprefix("Mã hồ sơ: ")


def move(code: str, action: str, user: str, at: str, *extra: str) -> str:
    return run("transition", code, action, "--user", user, "--at", at, *extra)


def status(code: str) -> str:
    return Dossier.objects.get(code=code).status


def test_it_receives_at_the_counter_and_explains_the_due_moment(world):
    out = run(
        "receive",
        *CITY_DESK,
        "--channel",
        "direct",
        "--name",
        "Nguyễn Văn An",
        "--id-number",
        "006190012345",
        "--component",
        "Tờ khai [1/0/0]*",
        "--component",
        "Bản sao CCCD [0/1/0]",
        "--at",
        "05/01/2024 16:30",
    )
    assert out.splitlines() == [
        "Mã hồ sơ: 000.00.58.H06-240105-0001",
        "Trạng thái: Đã tiếp nhận",
        "Tiếp nhận lúc: 05/01/2024 16:30",
        "Hẹn trả: 12/01/2024 16:30",
        "  Hạn giải quyết: 16:30 Thứ Sáu 12/01/2024",
        "  Nộp lúc: 16:30 Thứ Sáu 05/01/2024; "
        "thời điểm tiếp nhận chính thức: 16:30 Thứ Sáu 05/01/2024",
        "  Thời hạn: 5 ngày làm việc, tính từ 16:30 Thứ Sáu 05/01/2024",
        "  Bỏ qua: Thứ Bảy 06/01/2024 (nghỉ cuối tuần)",
        "  Bỏ qua: Chủ Nhật 07/01/2024 (nghỉ cuối tuần)",
    ]
    dossier = Dossier.objects.get()
    assert [
        (c.name, c.originals, c.certified_copies, c.digitised) for c in dossier.components.all()
    ] == [
        ("Tờ khai", 1, 0, True),
        ("Bản sao CCCD", 0, 1, False),
    ]
    assert dossier.received_at is not None


def test_a_counter_dossier_goes_through_transfer_hand_over_pauses_apology_and_return(world):
    code = receive()
    move(code, "transfer", "clerk", "02/01/2024 09:00", "--assignee", "officer", "--version", "1")
    move(
        code,
        "hand-over",
        "officer",
        "02/01/2024 10:00",
        "--step",
        "Thẩm định",
        "--to-agency",
        "PTP-058",
    )
    move(code, "request_supplement", "officer", "03/01/2024 08:00", "--reason", "Thiếu sổ hộ khẩu")
    assert status(code) == "awaiting_supplement"
    move(code, "supplement", "officer", "04/01/2024 08:00", "--applicant")
    move(
        code,
        "request_payment",
        "officer",
        "04/01/2024 09:00",
        "--reason",
        "Lệ phí",
        "--amount",
        "50.000",
    )
    assert status(code) == "awaiting_payment"
    move(
        code,
        "confirm_payment",
        "clerk",
        "04/01/2024 10:00",
        "--method",
        "cash",
        "--reference",
        "BL-1",
    )
    move(
        code,
        "apologise",
        "leader",
        "05/01/2024 08:00",
        "--reason",
        "Cần xác minh thêm",
        "--new-due",
        "20/01/2024 17:00",
        "--signed-by",
        "Lý Thị Hà",
    )
    out = move(code, "approve", "officer", "08/01/2024 08:00", "--result-form", "electronic")
    assert out == f"{code}: Phê duyệt — Đang xử lý → Đã giải quyết (phiên bản 9)\n"
    move(code, "return_result", "clerk", "08/01/2024 09:00", "--return-method", "counter")
    move(code, "rate", "clerk", "08/01/2024 09:05", "--applicant", "--rating", "satisfied")
    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.outcome, dossier.result_form, dossier.return_method) == (
        "returned",
        "approved",
        "electronic",
        "counter",
    )
    assert list(dossier.events.values_list("action", flat=True)) == [
        "receive",
        "transfer",
        "hand_over",
        "request_supplement",
        "supplement",
        "request_payment",
        "confirm_payment",
        "apologise",
        "approve",
        "return_result",
        "rate",
    ]
    shown = run("show", code, "--user", "clerk").splitlines()
    assert f"Mã hồ sơ: {code}" in shown
    assert "Trạng thái: Đã trả kết quả (mã DVCQG 10)" in shown
    assert "Kết quả giải quyết: Chấp thuận" in shown
    assert "Hình thức kết quả: Bản điện tử" in shown
    assert f"Đánh giá: {RatingLevel.SATISFIED.label}" in shown  # feedback's own catalogue
    assert "Dòng thời gian:" in shown
    assert "Phiếu kiểm soát (mẫu 05):" in shown
    assert "  02/01/2024 09:00: BPMC-058 (clerk) → PTP-058, officer, bước: Xử lý" in shown
    assert "Người nộp: Nguyễn Văn An" in shown
    assert (
        "  #4 03/01/2024 08:00  Yêu cầu bổ sung  Đang xử lý → Chờ bổ sung hồ sơ  (Officer)"
        " — Thiếu sổ hộ khẩu" in shown
    )
    assert "Thao tác tiếp theo: rate (Đánh giá mức độ hài lòng)" in shown
    assert audit_verify() == []


def test_an_online_submission_is_completed_received_denied_returned_and_rated(world):
    code = receive("--fee", "0", channel="online")
    assert status(code) == "submitted"
    move(code, "request_completion", "clerk", "02/01/2024 09:00", "--reason", "Thiếu bản sao")
    move(code, "resubmit", "clerk", "02/01/2024 10:00", "--applicant")
    move(code, "receive", "clerk", "02/01/2024 11:00")
    move(code, "transfer", "clerk", "02/01/2024 11:30")
    move(code, "deny", "officer", "03/01/2024 08:00", "--reason", "Không đủ điều kiện")
    move(code, "return-result", "clerk", "03/01/2024 09:00", "--return-method", "online")
    move(code, "rate", "clerk", "03/01/2024 09:30", "--applicant", "--rating", "very_satisfied")
    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.outcome, dossier.denial_reason) == (
        "returned",
        "denied",
        "Không đủ điều kiện",
    )


def test_refusal_withdrawal_stop_and_payment_paths(world):
    refused_code = receive(channel="online")
    move(refused_code, "refuse", "clerk", "02/01/2024 09:00", "--reason", "Không thuộc thẩm quyền")
    withdrawn = receive()
    move(withdrawn, "withdraw", "clerk", "02/01/2024 09:00", "--applicant", "--reason", "Xin rút")
    stopped = receive()
    move(stopped, "transfer", "clerk", "02/01/2024 09:00")
    move(stopped, "stop", "leader", "02/01/2024 10:00", "--reason", "Có tranh chấp")
    paying = receive("--fee", "30000", channel="online")
    out = move(
        paying, "pay", "clerk", "02/01/2024 09:00", "--applicant", "--method", "online_national"
    )
    assert out == f"{paying}: Thanh toán — Đã nộp trực tuyến → Đã nộp trực tuyến (phiên bản 2)\n"
    assert [status(c) for c in (refused_code, withdrawn, stopped, paying)] == [
        "refused",
        "withdrawn",
        "stopped",
        "submitted",
    ]
    assert PaymentEvent.objects.get().amount == 30000
    assert run("show", refused_code, "--user", "clerk").endswith("Thao tác tiếp theo: không có\n")


def test_show_lists_the_next_actions_for_that_user(world):
    code = receive()
    shown = run("show", code, "--user", "clerk")
    assert "Thao tác tiếp theo: transfer (Chuyển xử lý); withdraw (Rút hồ sơ)" in shown
    officer = run("show", code, "--user", "officer")
    assert "stop (Dừng xử lý)" in officer
    assert "transfer" not in officer.split("Thao tác tiếp theo:")[1]


def test_the_queue_is_ordered_by_effective_due_and_filtered(world):
    late = receive(at="02/01/2024 08:00")  # due 09/01
    soon = receive(at="03/01/2024 08:00")  # due 10/01
    online = receive(channel="online", at="03/01/2024 09:00")  # no due moment yet
    lines = run("queue", "--user", "clerk").splitlines()
    assert [line.split()[0] for line in lines[:-1]] == [late, soon, online]
    assert lines[-1] == "3 hồ sơ"
    overdue = run("queue", "--user", "clerk", "--due", "overdue", "--at", "09/01/2024 09:00")
    assert overdue.splitlines()[0].startswith(f"{late}  09/01/2024 08:00  Đã tiếp nhận")
    assert overdue.splitlines()[-1] == "1 hồ sơ"
    today = run("queue", "--user", "clerk", "--due", "today", "--at", "10/01/2024 07:00")
    assert [line.split()[0] for line in today.splitlines()[:-1]] == [soon]
    tomorrow = run("queue", "--user", "clerk", "--due", "tomorrow", "--at", "08/01/2024 07:00")
    assert [line.split()[0] for line in tomorrow.splitlines()[:-1]] == [late]
    submitted = run("queue", "--user", "clerk", "--status", "submitted")
    assert submitted.splitlines()[0].split()[0] == online
    assert run("queue", "--user", "otherclerk") == "0 hồ sơ\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "nobody"], "--user: không có người dùng 'nobody'"),
        (["--channel", "fax"], "--channel: 'fax' không phải một trong direct, online, postal"),
        (["--agency", "XYZ"], "--agency: không có cơ quan nào mã 'XYZ'"),
        (
            ["--procedure", "9.999"],
            "--procedure: không có thủ tục '9.999' còn hiệu lực ngày 02/01/2024",
        ),
        (["--phone", "12ab"], "--phone: "),
        (["--email", "not-an-email"], "--email: 'not-an-email' không phải địa chỉ thư điện tử"),
        (["--id-number", "123"], "--id-number: "),
        (["--component", "Tờ khai [1/0]"], "--component: 'Tờ khai [1/0]': ghi số bản"),
        (["--at", "2024-13-45 25:00"], "--at: "),
        (["--at", "yesterday"], "--at: 'yesterday' không phải ngày giờ"),
        (["--sets", "0"], "--sets: "),
        (["--fee", "-5"], "--fee: "),
    ],
)
def test_it_refuses_bad_receipts_naming_the_option(world, args, message):
    base = {
        "--user": "clerk",
        "--procedure": "1.000001",
        "--agency": "BPMC-058",
        "--channel": "direct",
        "--name": "Nguyễn Văn An",
        "--at": "02/01/2024 08:00",
    }
    for option, value in zip(args[::2], args[1::2], strict=True):
        base[option] = value
    flat = [item for pair in base.items() for item in pair]
    assert refused("receive", *flat).startswith(message)


def test_a_ward_clerk_cannot_receive_for_the_city_desk(world):
    message = refused(
        "receive",
        *("--user", "wardclerk", "--procedure", "1.000001", "--agency", "BPMC-058"),
        *("--channel", "direct", "--name", "An", "--at", "02/01/2024 08:00"),
    )
    assert message.startswith("--user: wardclerk không có vai trò cần thiết")


def test_it_refuses_bad_transitions_naming_the_option(world):
    code = receive()
    assert refused("transition", code, "fly", "--user", "clerk").startswith(
        "ACTION: 'fly' không phải một trong receive, "
    )
    assert refused("transition", code, "approve", "--user", "officer") == (
        "ACTION: không được phép 'Phê duyệt' đối với hồ sơ 'Đã tiếp nhận'"
    )
    assert refused("transition", code, "transfer", "--user", "officer").startswith(
        "--user: officer không có vai trò cần thiết"
    )
    assert refused("transition", code, "transfer", "--user", "clerk", "--version", "7") == (
        f"--version: hồ sơ {code} đã bị người khác thay đổi trong lúc đó; hãy tải lại và thử lại"
    )
    assert refused("transition", code, "transfer", "--user", "clerk", "--version", "x") == (
        "--version: 'x' không phải số nguyên"
    )
    assert refused("transition", code, "withdraw", "--user", "clerk") == ("--reason: cần có lý do")
    assert refused(
        "transition", code, "transfer", "--user", "clerk", "--at", "01/01/2024 08:00"
    ).startswith("--at: 08:00 01/01/2024 trước sự kiện cuối cùng của hồ sơ (08:00 02/01/2024)")
    assert refused(
        "transition", code, "transfer", "--user", "clerk", "--at", "01/01/2099 08:00"
    ) == ("--at: 08:00 01/01/2099 chưa tới: chỉ ghi nhận việc đã xảy ra")
    assert refused("transition", code, "transfer", "--user", "clerk", "--to-agency", "NO") == (
        "--to-agency: không có cơ quan nào mã 'NO'"
    )
    assert refused("transition", code, "transfer", "--user", "clerk", "--assignee", "ghost") == (
        "--assignee: không có người dùng 'ghost'"
    )
    assert refused("transition", code, "pay", "--user", "clerk", "--method", "gold").startswith(
        "--method: 'gold' không phải một trong cash, "
    )
    assert refused("transition", code, "pay", "--user", "clerk", "--amount", "1,5").startswith(
        "--amount: '1,5' không phải số tiền"
    )


def test_a_dossier_outside_the_users_units_looks_missing(world):
    code = receive()
    outside = refused("show", code, "--user", "otherclerk")
    missing = refused("show", "000.00.58.H06-240102-9999", "--user", "otherclerk")
    assert outside == f"CODE: không có hồ sơ {code}"
    assert missing == "CODE: không có hồ sơ 000.00.58.H06-240102-9999"
    assert refused("transition", code, "withdraw", "--user", "otherclerk", "--reason", "x") == (
        outside
    )


def test_it_speaks_english_on_request(world):
    code = receive()
    out = move(code, "transfer", "clerk", "02/01/2024 09:00", "--lang", "en")
    assert out == (
        f"{code}: Transfer — Received → In processing (version 2)\n"
        "Due at (pauses included): 09/01/2024 08:00\n"
    )


def test_the_docs_list_every_action_and_state_of_the_table():
    from pathlib import Path

    from motcua.core import workflow

    text = (Path(__file__).resolve().parents[3] / "docs" / "dossiers.md").read_text()
    for rule in workflow.TABLE:
        sources = ", ".join(s.value for s in workflow.Status if s in rule.sources)
        target = rule.target.value if rule.target else "(unchanged)"
        assert f"| `{rule.action.value}` | {sources} | {target} |" in text
    for status, code in workflow.EXTERNAL_STATUS.items():
        assert f"| `{status.value}` |" in text
        assert text.split(f"| `{status.value}` |")[1].split("\n")[0].endswith(f"| {code.value} |")
