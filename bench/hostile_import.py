"""How long and how much memory the history import's reader takes to refuse hostile files.

.venv/bin/python bench/hostile_import.py

The reader and decoder of ``motcua dossiers import`` (``read_lines`` and ``decode_line`` of
``dossiers.history.decoding``: what runs before any database work) on each hostile case of
issue 16 item 5, against a baseline of the same number of bytes of valid dossier lines. Prints
seconds and the peak of Python memory (tracemalloc) for each, and the ratio to the baseline.
Not a test: numbers for the note.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.test_settings")
import django  # noqa: E402

django.setup()

from motcua.dossiers.history import HEADER, MAX_ERRORS, parse_record  # noqa: E402
from motcua.dossiers.history.decoding import LineRefused, decode_line, read_lines  # noqa: E402
from motcua.dossiers.history.schema import FieldRefused  # noqa: E402
from motcua.dossiers.tests.test_history import record  # noqa: E402


def read(path: Path) -> int:
    """Lines read, decoded and checked (or refused) as the import's first pass does, stopping
    after ``MAX_ERRORS`` problems; the header line is skipped."""
    problems = 0
    for number, text in enumerate(read_lines(path), 1):
        if problems >= MAX_ERRORS:
            break
        if isinstance(text, LineRefused):
            problems += 1
            continue
        try:
            raw = decode_line(text)
            if number > 1:
                parse_record(raw)
        except FieldRefused:
            problems += 1
    return problems


def measure(path: Path) -> tuple[float, float, int]:
    """Seconds (a plain run), peak traced memory in MB (a second run under tracemalloc, which
    is slower) and the lines refused."""
    start = time.perf_counter()
    problems = read(path)
    seconds = time.perf_counter() - start
    tracemalloc.start()
    read(path)
    _now, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, peak / 1e6, problems


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="hostile-"))
    valid = json.dumps(record(), ensure_ascii=False)
    deep = json.dumps(record(summary="@@")).replace('"@@"', "[" * 200_000 + "]" * 200_000)
    cases = {
        "200.000 levels of nesting": deep,
        "5.000-digit integer": json.dumps(record(sets=1)).replace(
            '"sets": 1', '"sets": ' + "9" * 5000
        ),
        "lone surrogate": json.dumps(record(summary="\udc80")),
        "NUL in text": json.dumps(record(summary="a\x00b")),
        "huge sets": json.dumps(record(sets=2**62)),
    }
    files: dict[str, Path] = {}
    for name, line in cases.items():
        path = folder / f"{len(files)}.jsonl"
        path.write_text(json.dumps(HEADER) + "\n" + line + "\n", encoding="utf-8")
        files[name] = path
    # One 200 MB line: skipped in 64 KB pieces, never held whole.
    long_path = folder / "long.jsonl"
    with long_path.open("w", encoding="utf-8") as out:
        out.write(json.dumps(HEADER) + "\n" + '{"summary": "')
        chunk = "x" * (1024 * 1024)
        for _ in range(200):
            out.write(chunk)
        out.write('"}\n')
    files["one 200 MB line"] = long_path
    # A million bad lines: reading stops after MAX_ERRORS problems.
    many = folder / "many.jsonl"
    many.write_text(json.dumps(HEADER) + "\n" + "{}\n" * 1_000_000, encoding="utf-8")
    files["1.000.000 bad lines"] = many
    # Baseline: 1.000 valid dossier lines.
    base_path = folder / "base.jsonl"
    base_path.write_text(json.dumps(HEADER) + "\n" + (valid + "\n") * 1000, encoding="utf-8")
    base_s, base_mb, _ = measure(base_path)
    size = base_path.stat().st_size / 1e6
    print(f"baseline: 1.000 valid lines ({size:.1f} MB): {base_s:.3f} s, peak {base_mb:.1f} MB")
    for name, path in files.items():
        seconds, peak, problems = measure(path)
        mb = path.stat().st_size / 1e6
        print(
            f"{name:28} file {mb:7.1f} MB  {seconds:6.3f} s  peak {peak:6.1f} MB  "
            f"refused lines {problems}  time/baseline {seconds / base_s:5.2f}"
        )
    # What the previous reader did with the deep line: json.loads recursed and overflowed.
    try:
        json.loads(deep)
    except RecursionError:
        print("json.loads on the 200.000-level line: RecursionError (the old traceback)")


if __name__ == "__main__":
    main()
