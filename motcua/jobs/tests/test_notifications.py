"""The applicant's e-mails (issue 5 item 4), received by a real SMTP server on 127.0.0.1.

Dossiers go through the real services (``dossiers.services``); the messages are written to
the outbox in the action's transaction and leave only when ``motcua worker`` runs the
delivery task enqueued at commit (issue 13 item 5): ``django_capture_on_commit_callbacks
(execute=True)`` runs the commit callbacks of a test's rolled-back transaction, and the
``transaction=True`` tests commit for real. The SMS and Zalo channels are tested in
``motcua/notify/tests``.
"""

from __future__ import annotations

import unicodedata
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from motcua.dossiers import notifications
from motcua.dossiers.choices import Channel, ResultForm, Status
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import Applicant, Details, dossier_transition
from motcua.dossiers.tests.world import World, build_world, local
from motcua.notify.choices import Status as SendStatus
from motcua.notify.models import Notification
from motcua.notify.services import notifications_deliver_due
from motcua.notify.tests.conftest import run_queued_tasks

EMAIL = "khai.nguyen@example.vn"
WITH_EMAIL = Applicant(
    name="Nguyễn Thị Minh Khai", id_number="006190012345", phone="0912345678", email=EMAIL
)
CODE = "000.00.58.H06-240102-0001"
TRACK = f"http://motcua.backan.example/dich-vu-cong/tra-cuu/?code={CODE}"


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def site(settings):
    settings.MOTCUA_BASE_URL = "http://motcua.backan.example"


def act(world: World, dossier: Dossier, action: str, at: str, actor=None, reason="", **details):
    return dossier_transition(
        dossier_id=dossier.pk,
        action=action,
        actor=actor or world.officer,
        reason=reason,
        details=Details(**details),
        at=local(at),
    )


def processing(world: World, **create) -> Dossier:
    """Received at the counter on 02/01/2024 08:00, then at the justice department."""
    dossier = world.create(applicant=WITH_EMAIL, **create)
    act(world, dossier, "transfer", "02/01/2024 09:00", actor=world.clerk, assignee=world.officer)
    return dossier


def deliver() -> None:
    """What ``motcua worker`` does with the queue: run the delivery tasks enqueued at commit.
    The worker command itself in the tests that commit; inside a test's transaction, the same
    tasks run the worker's way (the command closes such a connection on PostgreSQL)."""
    if connection.in_atomic_block:
        run_queued_tasks()
    else:
        call_command("worker", "--once", "--no-scheduler", stdout=StringIO(), stderr=StringIO())


def is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


# -- the four messages ------------------------------------------------------------------------


def test_receipt_at_the_counter(world, smtp, site, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = world.create(applicant=WITH_EMAIL)
    assert dossier.code == CODE
    deliver()
    [mail] = smtp.to(EMAIL)
    assert len(smtp.received) == 1
    assert mail.sender == "motcua@backan.example"
    assert mail.subject == f"Hồ sơ {CODE} đã được tiếp nhận"
    assert mail.body == (
        "Kính gửi Ông/Bà Nguyễn Thị Minh Khai,\n"
        "\n"
        "Bộ phận Một cửa thành phố đã tiếp nhận hồ sơ của Ông/Bà.\n"
        "\n"
        f"Mã hồ sơ: {CODE}\n"
        "Thủ tục: Chứng thực hợp đồng, giao dịch\n"
        "Tiếp nhận lúc: 02/01/2024 08:00\n"
        "Thời gian hẹn trả kết quả: 09/01/2024 08:00\n"
        "\n"
        f"Theo dõi hồ sơ trên Cổng dịch vụ công: {TRACK}\n"
        "\n"
        "Bộ phận Một cửa thành phố\n"
        "Thư này được hệ thống gửi tự động; vui lòng không trả lời.\n"
    )
    assert is_nfc(mail.subject)
    assert is_nfc(mail.body)


def test_online_submission_completion_receipt_and_supplement(
    world, smtp, site, django_capture_on_commit_callbacks
):
    # Submitted online: no message yet (the portal shows the code and the secret).
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dossier = world.create(channel=Channel.ONLINE, applicant=WITH_EMAIL)
    assert callbacks == []
    deliver()
    assert smtp.received == []

    # Form 02 before receipt.
    with django_capture_on_commit_callbacks(execute=True):
        act(
            world,
            dossier,
            "request_completion",
            "02/01/2024 10:00",
            actor=world.clerk,
            reason="Thiếu bản sao căn cước của bên bán",
        )
    deliver()
    [completion] = smtp.to(EMAIL)
    assert completion.subject == f"Hồ sơ {CODE}: yêu cầu bổ sung, hoàn thiện hồ sơ"
    assert (
        "Hồ sơ của Ông/Bà cần được bổ sung, hoàn thiện trước khi được tiếp nhận.\n"
        in completion.body
    )
    assert (
        "Nội dung cần bổ sung, hoàn thiện và lý do: Thiếu bản sao căn cước của bên bán\n"
        in completion.body
    )
    assert "tạm dừng" not in completion.body  # no clock runs before receipt

    with django_capture_on_commit_callbacks(execute=True):
        act(world, dossier, "resubmit", "03/01/2024 08:00", actor=world.clerk)
        act(world, dossier, "receive", "03/01/2024 09:15", actor=world.clerk)
    deliver()
    receipt = smtp.to(EMAIL)[1]
    assert receipt.subject == f"Hồ sơ {CODE} đã được tiếp nhận"
    assert "Tiếp nhận lúc: 03/01/2024 09:15\n" in receipt.body
    assert "Thời gian hẹn trả kết quả: 10/01/2024 09:15\n" in receipt.body

    # Form 02 during processing: the clock stops.
    with django_capture_on_commit_callbacks(execute=True):
        act(world, dossier, "transfer", "03/01/2024 10:00", actor=world.clerk)
        act(
            world,
            dossier,
            "request_supplement",
            "04/01/2024 14:30",
            reason="Bản vẽ sơ đồ thửa đất chưa có chữ ký",
        )
    deliver()
    assert len(smtp.to(EMAIL)) == 3
    supplement = smtp.to(EMAIL)[2]
    assert supplement.subject == f"Hồ sơ {CODE}: yêu cầu bổ sung, hoàn thiện hồ sơ"
    assert "Hồ sơ của Ông/Bà cần được bổ sung để tiếp tục giải quyết.\n" in supplement.body
    assert (
        "Nội dung cần bổ sung, hoàn thiện và lý do: Bản vẽ sơ đồ thửa đất chưa có chữ ký\n"
        "Thời gian giải quyết tạm dừng cho đến khi nhận được hồ sơ bổ sung.\n"
        "Đề nghị Ông/Bà nộp hoặc gửi giấy tờ còn thiếu đến Bộ phận Một cửa thành phố.\n"
    ) in supplement.body
    assert f"Theo dõi hồ sơ trên Cổng dịch vụ công: {TRACK}\n" in supplement.body
    assert all(is_nfc(mail.body) for mail in smtp.received)


def test_result_approved_on_paper_with_a_fee_owed(
    world, smtp, site, django_capture_on_commit_callbacks
):
    dossier = processing(world, fee=1_250_000)
    with django_capture_on_commit_callbacks(execute=True):
        act(world, dossier, "approve", "05/01/2024 15:45")
    deliver()
    [mail] = smtp.received  # the receipt's delivery was never enqueued: its commit not run
    assert mail.subject == f"Hồ sơ {CODE}: đã có kết quả"
    assert (
        "Kính gửi Ông/Bà Nguyễn Thị Minh Khai,\n"
        "\n"
        "Hồ sơ của Ông/Bà đã được giải quyết: chấp thuận.\n"
        "\n"
        f"Mã hồ sơ: {CODE}\n"
        "Thủ tục: Chứng thực hợp đồng, giao dịch\n"
        "Thời gian giải quyết xong: 05/01/2024 15:45\n"
        "\n"
        "Mời Ông/Bà đến nhận kết quả tại Bộ phận Một cửa thành phố, mang theo Giấy tiếp nhận "
        "hồ sơ và hẹn trả kết quả (Mẫu 01) và giấy tờ tùy thân.\n"
        "Phí, lệ phí còn phải nộp: 1.250.000 đ\n"
        "Mời Ông/Bà đánh giá việc giải quyết hồ sơ (đường dẫn chỉ dùng được một lần): "
    ) in mail.body


def test_result_denied_electronic_and_paid(world, smtp, site, django_capture_on_commit_callbacks):
    dossier = processing(world, fee=50_000)
    act(
        world,
        dossier,
        "pay",
        "02/01/2024 09:30",
        actor=world.clerk,
        payment_method="cash",
    )
    with django_capture_on_commit_callbacks(execute=True):
        act(
            world,
            dossier,
            "deny",
            "08/01/2024 10:05",
            reason="Hợp đồng không đủ chữ ký của các bên",
            result_form=ResultForm.ELECTRONIC,
        )
    deliver()
    [mail] = smtp.to(EMAIL)
    assert mail.subject == f"Hồ sơ {CODE}: không chấp thuận"
    assert (
        "Hồ sơ của Ông/Bà đã được giải quyết: không chấp thuận.\n"
        "\n"
        f"Mã hồ sơ: {CODE}\n"
        "Thủ tục: Chứng thực hợp đồng, giao dịch\n"
        "Thời gian giải quyết xong: 08/01/2024 10:05\n"
        "Lý do: Hợp đồng không đủ chữ ký của các bên\n"
        "\n"
        "Kết quả điện tử được tải về tại trang theo dõi hồ sơ dưới đây.\n"
        "Mời Ông/Bà đánh giá việc giải quyết hồ sơ (đường dẫn chỉ dùng được một lần): "
        "http://motcua.backan.example/dich-vu-cong/danh-gia/"
    ) in mail.body
    assert f"\n\nTheo dõi hồ sơ trên Cổng dịch vụ công: {TRACK}\n" in mail.body
    assert "Phí, lệ phí" not in mail.body  # paid in full


def test_apology_and_new_date(world, smtp, site, django_capture_on_commit_callbacks):
    dossier = processing(world)
    with django_capture_on_commit_callbacks(execute=True):
        act(
            world,
            dossier,
            "apologise",
            "09/01/2024 07:45",
            reason="Chờ ý kiến xác minh của Văn phòng đăng ký đất đai",
            new_due_at=local("16/01/2024 14:00"),
            signed_by="Hoàng Văn Đức",
        )
    deliver()
    [mail] = smtp.to(EMAIL)
    assert mail.subject == f"Hồ sơ {CODE}: thư xin lỗi và hẹn lại ngày trả kết quả"
    assert (
        "Hồ sơ của Ông/Bà chưa thể trả kết quả đúng ngày hẹn. Sự chậm trễ này đã gây phiền hà, "
        "tốn kém chi phí, công sức của Ông/Bà; chúng tôi xin lỗi Ông/Bà.\n"
        "\n"
        f"Mã hồ sơ: {CODE}\n"
        "Thủ tục: Chứng thực hợp đồng, giao dịch\n"
        "Thời gian hẹn trả kết quả trước đây: 09/01/2024 08:00\n"
        "Thời gian hẹn trả kết quả mới: 16/01/2024 14:00\n"
        "Lý do chậm trễ: Chờ ý kiến xác minh của Văn phòng đăng ký đất đai\n"
        "\n"
        "Mong nhận được sự thông cảm của Ông/Bà.\n"
        "Hoàng Văn Đức\n"
    ) in mail.body
    assert is_nfc(mail.body)


# -- when nothing is sent ---------------------------------------------------------------------


def test_nothing_without_an_email_address(world, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dossier = world.create()  # the world's applicant gave no e-mail
        act(world, dossier, "transfer", "02/01/2024 09:00", actor=world.clerk)
        act(world, dossier, "approve", "03/01/2024 09:00")
    # No address: nothing is written or registered, so the transitions do no work for it.
    assert callbacks == []
    assert not Notification.objects.filter(dossier_id=dossier.pk).exists()
    assert smtp.received == []
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RESOLVED


def test_actions_that_send_nothing_register_nothing(
    world, smtp, django_capture_on_commit_callbacks
):
    dossier = world.create(applicant=WITH_EMAIL)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        act(world, dossier, "transfer", "02/01/2024 09:00", actor=world.clerk)
        act(world, dossier, "hand_over", "02/01/2024 10:00", step="Thẩm định")
    assert callbacks == []
    assert (
        notifications.dossier_notify_on_commit(
            dossier_id=dossier.pk, action="transfer", event_seq=2, email=EMAIL
        )
        == 0
    )
    deliver()
    assert smtp.received == []


@pytest.mark.django_db(transaction=True)
def test_nothing_when_the_action_is_refused_or_rolled_back(world, smtp):
    dossier = world.create(applicant=WITH_EMAIL)  # committed: the receipt goes out
    deliver()
    [receipt] = smtp.to(EMAIL)
    assert receipt.subject == f"Hồ sơ {CODE} đã được tiếp nhận"
    act(world, dossier, "transfer", "02/01/2024 09:00", actor=world.clerk)

    # Refused with InvalidInput: a new date that is not later, a denial without a reason.
    with pytest.raises(InvalidInput) as refused:
        act(
            world,
            dossier,
            "apologise",
            "03/01/2024 09:00",
            reason="Chờ xác minh",
            new_due_at=local("05/01/2024 08:00"),
            signed_by="Hoàng Văn Đức",
        )
    assert refused.value.field == "new_due_at"
    with pytest.raises(InvalidInput) as refused:
        act(world, dossier, "deny", "03/01/2024 09:00")
    assert refused.value.field == "reason"

    # Taken, then undone by the caller's transaction.
    class Undo(Exception):
        pass

    def approve_then_undo() -> None:
        with transaction.atomic():
            act(world, dossier, "approve", "03/01/2024 10:00")
            raise Undo

    with pytest.raises(Undo):
        approve_then_undo()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.IN_PROCESSING
    deliver()
    assert len(smtp.received) == 1

    # The same approval, committed: one message.
    act(world, dossier, "approve", "03/01/2024 10:00")
    deliver()
    assert [mail.subject for mail in smtp.to(EMAIL)] == [
        f"Hồ sơ {CODE} đã được tiếp nhận",
        f"Hồ sơ {CODE}: đã có kết quả",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_refusing_or_absent_server_does_not_break_the_action(world, smtp):
    smtp.refuse = True
    dossier = world.create(applicant=WITH_EMAIL)
    assert Dossier.objects.get(pk=dossier.pk).code == CODE  # the action stands
    deliver()
    assert smtp.received == []
    [row] = Notification.objects.filter(dossier_id=dossier.pk)
    assert (row.status, row.attempts) == (SendStatus.QUEUED, 1)
    assert "451" in row.error  # kept for the retry

    smtp.refuse = False
    assert notifications_deliver_due(now=row.next_attempt_at) == 1
    [receipt] = smtp.to(EMAIL)
    assert receipt.subject == f"Hồ sơ {CODE} đã được tiếp nhận"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == (SendStatus.SENT, 2, "")

    smtp.stop()  # nobody listens any more
    act(world, dossier, "transfer", "02/01/2024 09:00", actor=world.clerk)
    resolved = act(world, dossier, "approve", "03/01/2024 09:00")
    assert resolved.status == Status.RESOLVED
    deliver()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RESOLVED
    result = Notification.objects.get(dossier_id=dossier.pk, event="result")
    assert (result.status, result.attempts) == (SendStatus.QUEUED, 1)
    assert result.error  # the connection was refused
    assert len(smtp.received) == 1
