"""Benchmark (not a test): the hostile indicator workbook of issue 16, refused by the page and
by the command, against importing an ordinary 100-row file.

    .venv/bin/python bench/abuse/run.py [--data-dir var/bench/abuse-data] [--runs 3]

The data directory holds a SQLite database with the demo (`motcua migrate`, `motcua demo load`
on first use, reused afterwards). Each measurement runs in a fresh process, so its peak
resident memory (``ru_maxrss``) is its own:

- **page**: a signed-in leader posts the file to /chi-dao/chi-tieu/tai-len/ through Django's
  test client (the whole request: multipart parsing, the form, the reader, the page); the time
  is the POST's, the memory the process's peak (Django and the app included);
- **command**: ``motcua steering import FILE --unit U --user L`` as a subprocess; wall time of
  the process (start-up included) and its peak memory.

Files: the hostile workbook (a real header, then 2.000.000 one-cell rows and no
``<dimension>``, about 290 KB, 98 MB unpacked: motcua.lib.tests.hostile.streamed_xlsx) and a
baseline of 100 valid rows for the same unit. Target (issue 16): the refusal under 2 s and
under 200 MB, by the page and by the command. Results go to var/bench/abuse-results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
MOTCUA = ROOT / ".venv" / "bin" / "motcua"
BASE = ROOT / "var" / "bench"

# Run in a child process: sets Django up on the bench's data, finds a leader who may record
# indicators today, writes the files, or posts one file to the page and prints the numbers.
CHILD = r"""
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
import django
django.setup()
from datetime import date, timedelta
from django.utils import timezone
from motcua.accounts.models import User
from motcua.steering.access import steering_units
from motcua.steering.models import IndicatorDefinition

def who():
    today = timezone.localdate()
    for user in User.objects.filter(username__startswith="lanhdao.").order_by("username"):
        units = steering_units(user, record=True, on=today)
        if units:
            return user, units[0]
    raise SystemExit("no leader may record indicators today: load the demo")

def files(folder):
    from motcua.lib.tests.hostile import streamed_xlsx
    from openpyxl import Workbook
    user, unit = who()
    header = ["ma_chi_tieu", "den_ngay", "tu_so", "mau_so"]
    with open(os.path.join(folder, "hostile.xlsx"), "wb") as out:
        out.write(streamed_xlsx(header[:3], 2_000_000))
    definitions = [
        d for d in IndicatorDefinition.objects.order_by("code")
        if not d.is_computed and d.applies_to_unit(unit)
    ]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    # Periods ending on the days before today (a new unit may be younger than 100 months).
    month_end = timezone.localdate() - timedelta(days=1)
    rows = 0
    while rows < 100:
        if not unit.is_valid_on(month_end):
            raise SystemExit(f"{unit.code} is too young for 100 rows")
        for definition in definitions:
            if rows == 100:
                break
            sheet.append(
                [definition.code, month_end.strftime("%d/%m/%Y"), 50,
                 100 if definition.is_rate else None]
            )
            rows += 1
        month_end -= timedelta(days=1)
    workbook.save(os.path.join(folder, "baseline.xlsx"))
    print(json.dumps({"user": user.username, "unit": unit.code}))

def page(path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.test.utils import setup_test_environment
    setup_test_environment()  # the response's context (the errors, the report) is kept
    user, unit = who()
    client = Client()
    # Signed in as a person does (the demo's password), so every middleware sees a real session.
    signed = client.post("/dang-nhap/", {"username": user.username, "password": "motcua-demo"})
    if signed.status_code != 302:
        raise SystemExit(f"{user.username} cannot sign in with the demo password")
    with open(path, "rb") as handle:
        upload = SimpleUploadedFile(os.path.basename(path), handle.read())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.post("/chi-dao/chi-tieu/tai-len/", {"unit": unit.code, "file": upload})
    seconds = time.perf_counter() - started
    errors = response.context["errors"] if response.context else []
    report = response.context["report"] if response.context else None
    print(json.dumps({
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "before_mb": before / 1024,
        "status": response.status_code,
        "outcome": errors[:1] or report or f"HTTP {response.status_code}",
    }, ensure_ascii=False))

if sys.argv[1] == "files":
    files(sys.argv[2])
else:
    page(sys.argv[2])
"""


def child(env: dict[str, str], *args: str) -> dict[str, object]:
    out = subprocess.run(
        [str(PYTHON), "-c", CHILD, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode:
        raise SystemExit(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed")
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def command(env: dict[str, str], path: Path, user: str, unit: str) -> dict[str, object]:
    """Wall time and peak memory of `motcua steering import` in its own process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(MOTCUA), "steering", "import", str(path), "--unit", unit, "--user", user],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    output = (process.stdout.read() if process.stdout else "") + (
        process.stderr.read() if process.stderr else ""
    )
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return {
        "seconds": seconds,
        "peak_mb": usage.ru_maxrss / 1024,
        "exit": os.waitstatus_to_exitcode(status),
        "outcome": lines[-1] if lines else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=str(BASE / "abuse-data"))
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    data = Path(options.data_dir).resolve()
    env = {**os.environ, "MOTCUA_DATA_DIR": str(data), "MOTCUA_DEBUG": "false"}
    env.pop("MOTCUA_ENV", None)
    if not (data / "motcua.sqlite3").exists():
        data.mkdir(parents=True, exist_ok=True)
        print(f"loading the demo into {data} (once)…", flush=True)
        subprocess.run([str(MOTCUA), "migrate", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run(
            [str(MOTCUA), "demo", "load"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )
    folder = BASE / "abuse-files"
    folder.mkdir(parents=True, exist_ok=True)
    who = child(env, "files", str(folder))
    hostile, baseline = folder / "hostile.xlsx", folder / "baseline.xlsx"
    print(
        f"leader {who['user']}, unit {who['unit']}; hostile.xlsx "
        f"{hostile.stat().st_size / 1024:.0f} KB, baseline.xlsx 100 rows"
    )

    results: dict[str, dict[str, object]] = {}
    # The command's fixed cost: Python, Django, the unit and user checks, then "no such file".
    startup = [
        command(env, folder / "khong-co.xlsx", str(who["user"]), str(who["unit"]))
        for _ in range(options.runs)
    ]
    results["command start-up"] = {
        "median_s": statistics.median(float(r["seconds"]) for r in startup),  # type: ignore[arg-type]
        "peak_mb": max(float(r["peak_mb"]) for r in startup),  # type: ignore[arg-type]
        "outcome": startup[-1]["outcome"],
    }
    print(
        f"{'command start-up':18} {results['command start-up']['median_s']:6.2f} s  "
        f"{results['command start-up']['peak_mb']:6.0f} MB peak  (no file read)"
    )
    for name, path in (("baseline", baseline), ("hostile", hostile)):
        for way in ("page", "command"):
            runs = [
                child(env, "page", str(path))
                if way == "page"
                else command(env, path, str(who["user"]), str(who["unit"]))
                for _ in range(options.runs)
            ]
            key = f"{way} {name}"
            results[key] = {
                "median_s": statistics.median(float(r["seconds"]) for r in runs),  # type: ignore[arg-type]
                "peak_mb": max(float(r["peak_mb"]) for r in runs),  # type: ignore[arg-type]
                "outcome": runs[-1]["outcome"],
            }
            if way == "page":
                results[key]["before_post_mb"] = max(float(r["before_mb"]) for r in runs)  # type: ignore[arg-type]
            print(
                f"{key:18} {results[key]['median_s']:6.2f} s  "
                f"{results[key]['peak_mb']:6.0f} MB peak"
                + (
                    f" ({results[key]['before_post_mb']:.0f} MB before the POST)"
                    if way == "page"
                    else ""
                )
                + f"  {results[key]['outcome']}"
            )
    for way in ("page", "command"):
        hostile_run, base_run = results[f"{way} hostile"], results[f"{way} baseline"]
        ratio = float(hostile_run["median_s"]) / float(base_run["median_s"])  # type: ignore[arg-type]
        ok = float(hostile_run["median_s"]) < 2 and float(hostile_run["peak_mb"]) < 200  # type: ignore[arg-type]
        extra = ""
        if way == "command":
            beyond = float(hostile_run["median_s"]) - float(  # type: ignore[arg-type]
                results["command start-up"]["median_s"]  # type: ignore[arg-type]
            )
            extra = f"; {beyond:.2f} s beyond the start-up"
            ok = beyond < 2 and float(hostile_run["peak_mb"]) < 200  # type: ignore[arg-type]
        print(
            f"{way}: hostile/baseline time {ratio:.2f}×{extra}; target <2 s and <200 MB: "
            f"{'met' if ok else 'NOT met'}"
        )
    (BASE / "abuse-results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
