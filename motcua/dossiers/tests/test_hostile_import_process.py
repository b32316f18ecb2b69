"""The real ``motcua dossiers import`` process given hostile files (issue 16 item 5).

One OS process, as an administrator runs it, on a throw-away migrated database of its own
(``shared_db`` from the concurrency tests: a SQLite file, or a fresh PostgreSQL database in
the PostgreSQL pass): every hostile line is reported with its line and field, the exit status
is non-zero, no traceback is printed and nothing is written.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from motcua.dossiers.tests.test_concurrency import ROOT, worker
from motcua.dossiers.tests.test_concurrency import shared_db as shared_db  # the fixture
from motcua.dossiers.tests.test_history import HEADER, record

pytestmark = pytest.mark.django_db(transaction=True)

DEEP = 200_000


def test_the_command_refuses_every_hostile_line_without_a_traceback(shared_db):
    env, tmp_path = shared_db
    before = worker(env, "report")
    deep = json.dumps(record(summary="@@")).replace('"@@"', "[" * DEEP + "]" * DEEP)
    big = json.dumps(record(code="A-3", sets=1)).replace('"sets": 1', '"sets": ' + "9" * 5000)
    lines = [
        json.dumps(HEADER),
        deep,  # line 2
        json.dumps(record(code="A-3", applicant={"name": "Nông \udc80 Hoa", "unit": "01840"})),
        big,  # line 4
        json.dumps(record(code="A-5", sets=2**62)),
        json.dumps(record(code="A-6", summary="Cấp\x00bản sao")),
        json.dumps(record(code="A-7", summary="x" * (2 * 1024 * 1024))),
        json.dumps(record(code="A-8", summary="x" * 501)),
    ]
    path = tmp_path / "hostile.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    done = subprocess.run(
        [str(Path(sys.executable).parent / "motcua"), "dossiers", "import", str(path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    err = done.stderr
    assert "Tệp bị từ chối, không nhập gì: 7 lỗi." in err
    assert "dòng 2, summary[1][1]: lồng nhau sâu quá 20 cấp" in err
    assert "dòng 3, applicant.name: chứa một nửa cặp thay thế (surrogate) đứng riêng" in err
    assert "dòng 4, sets: số có 5.000 chữ số" in err
    assert "dòng 5, sets: phải từ 32.767 trở xuống" in err
    assert "dòng 6, summary: chứa ký tự NUL (U+0000)" in err
    assert "dòng 7: dòng dài quá 1.048.576 byte" in err
    assert "dòng 8, summary: dài quá 500 ký tự" in err
    assert worker(env, "report") == before
