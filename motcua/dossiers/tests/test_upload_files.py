"""Uploads reach their final name only once their row commits (issue 16 item 4).

A file is written under ``pending/`` and moved into place on commit (``lib.uploads``); a
rollback removes it; a process killed before the commit leaves only the pending file, which
the janitor (``lib.janitor``, ``motcua files clean``, the worker's housekeeping) removes; a
committed file is kept. The db fixture runs these in the PostgreSQL pass too.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.utils import timezone

from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.models import DossierFile
from motcua.dossiers.services import dossier_file_attach
from motcua.dossiers.tests.test_concurrency import ROOT, TIMEOUT, worker
from motcua.dossiers.tests.test_concurrency import shared_db as shared_db  # the fixture
from motcua.lib import uploads
from motcua.lib.janitor import files_clean

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LATER = timedelta(hours=25)  # past the janitor's default grace of 24 hours


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def on_disk(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def attach(dossier, data=PDF, name="to-khai.pdf"):
    return dossier_file_attach(dossier_id=dossier.pk, upload=BytesIO(data), name=name)


def test_a_file_waits_under_pending_until_the_commit_then_moves_into_place(
    world, media, django_capture_on_commit_callbacks
):
    dossier = world.create()
    with django_capture_on_commit_callbacks(execute=True):
        stored = attach(dossier)
        assert stored.file.name.startswith("dossiers/")
        assert on_disk(media) == [f"pending/{stored.file.name}"]
        # The transaction that wrote it reads it under its final name already.
        assert stored.file.open("rb").read() == PDF
    assert on_disk(media) == [stored.file.name]
    assert DossierFile.objects.get().file.read() == PDF
    # A committed file is kept by the janitor, however old.
    assert files_clean(now=timezone.now() + LATER).total == 0
    assert on_disk(media) == [stored.file.name]


def test_a_submission_that_fails_after_the_file_was_written_leaves_no_file(world, media):
    dossier = world.create()

    def submission() -> None:
        with transaction.atomic():
            attach(dossier)
            assert len(on_disk(media)) == 1
            attach(dossier, b"MZ not a pdf", "virus.pdf")  # the second file is refused

    with pytest.raises(InvalidInput):
        submission()
    # The end of the request notices the rollback and removes the pending file. (Sent as
    # Django's test client sends it: without closing the test's database connection.)
    request_finished.disconnect(close_old_connections)
    try:
        request_finished.send(sender=None)
    finally:
        request_finished.connect(close_old_connections)
    assert on_disk(media) == []
    assert DossierFile.objects.count() == 0


def test_a_rolled_back_savepoint_removes_its_file_and_keeps_the_others(
    world, media, django_capture_on_commit_callbacks
):
    dossier = world.create()
    with django_capture_on_commit_callbacks(execute=True):
        kept = attach(dossier)
        try:
            with transaction.atomic():
                attach(dossier, name="b.pdf")
                raise RuntimeError("the savepoint rolls back")
        except RuntimeError:
            pass
        assert uploads.discard_rolled_back() == 1
        assert on_disk(media) == [f"pending/{kept.file.name}"]
    assert on_disk(media) == [kept.file.name]
    assert DossierFile.objects.count() == 1


def test_the_janitor_moves_a_committed_pending_file_and_removes_leftovers(world, media):
    dossier = world.create()
    committed = attach(dossier)  # its move never ran: the process "died" after the commit
    abandoned = media / "pending" / "dossiers" / "2026" / "12" / f"{uuid.uuid4().hex}.pdf"
    orphan = media / "dossiers" / "2026" / "11" / f"{uuid.uuid4().hex}.pdf"
    for path in (abandoned, orphan):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PDF)
    everything = on_disk(media)
    assert len(everything) == 3
    # Within the grace period nothing is touched (an upload may be in flight).
    assert files_clean().total == 0
    assert on_disk(media) == everything
    done = files_clean(now=timezone.now() + LATER)
    assert (done.pending_moved, done.pending_removed, done.orphans_removed) == (1, 1, 1)
    assert on_disk(media) == [committed.file.name]
    assert files_clean(now=timezone.now() + LATER).total == 0


def test_files_clean_on_the_command_line_and_in_the_daily_housekeeping(world, media):
    orphan = media / "dossiers" / "2026" / "11" / "orphan.pdf"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(PDF)
    out = io.StringIO()
    call_command("files", "clean", stdout=out)
    assert out.getvalue() == (
        "Tệp tải lên cũ hơn 24 giờ: 0 tệp đã chuyển vào chỗ, 0 tệp chờ đã xóa, "
        "0 tệp không có bản ghi đã xóa.\n"
    )
    assert orphan.exists()
    from motcua.jobs.housekeeping import housekeeping_run

    assert housekeeping_run(now=timezone.now() + LATER)["upload leftovers"] == 1
    assert not orphan.exists()
    with pytest.raises(Exception, match="--hours: '-1' không phải số giờ nguyên"):
        call_command("files", "clean", "--hours", "-1", stdout=out)


# -- a real process killed before its commit ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_process_killed_mid_submission_leaves_only_a_pending_file_the_janitor_removes(
    shared_db,
):
    env, tmp_path = shared_db
    if "MOTCUA_DATA_DIR" not in env:  # the PostgreSQL pass: the media folder still a shared one
        env = {**env, "MOTCUA_DATA_DIR": str(tmp_path / "files")}
    media = Path(env["MOTCUA_DATA_DIR"]) / "media"
    ready = tmp_path / "ready"
    process = subprocess.Popen(
        [sys.executable, "-m", "motcua.dossiers.tests.upload_worker", "attach",
         "--ready", str(ready)],
        env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + TIMEOUT
        while not ready.exists():
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the worker did not write its file in time"
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
    name = ready.read_text()
    assert on_disk(media) == [f"pending/{name}"]  # no file under its final name
    # A committed submission next to it keeps its file.
    kept = worker_json(env, "attach", "--commit")["name"]
    assert on_disk(media) == sorted([f"pending/{name}", kept])
    cleaned = run_motcua(env, "files", "clean", "--hours", "0")
    assert "1 tệp chờ đã xóa, 0 tệp không có bản ghi đã xóa" in cleaned
    assert on_disk(media) == [kept]
    assert worker(env, "report")["audit"] == []


def worker_json(env: dict, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "motcua.dossiers.tests.upload_worker", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def run_motcua(env: dict, *args: str) -> str:
    done = subprocess.run(
        [str(Path(sys.executable).parent / "motcua"), *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout
