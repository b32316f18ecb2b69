"""Benchmark (not a test): pages per second through the digitise job versus plain ocrmypdf.

    .venv/bin/python bench/digitise/run.py [--pages 12] [--runs 3]

Makes a throw-away SQLite database and media folder, a development CA (the digitiser signs),
the small dossier world of the dossier tests, and N generated A4 page scans (300 dpi colour
JPEG, a Vietnamese birth certificate, half of them fed sideways, speckled). Then, in one run,
for each of ``--runs`` rounds:

- **job**: each page attached to the dossier and put through ``digitisation_request`` +
  ``digitisation_run`` (checks, img2pdf, ocrmypdf, text layer, suggestions, PAdES signature,
  storage and the component's figure), one page at a time as the worker does;
- **ocrmypdf**: the same pages through ``img2pdf`` + ``ocrmypdf.ocr`` with the same options
  (``pipeline.make_pdfa``: vie, PDF/A internal backend, rotate pages, jobs=1), nothing else.

Prints the median pages per second of each, the ratio job / ocrmypdf and the target
(issue 14: >= 0,8).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET = 0.8


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=12)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="motcua-bench-digitise-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    os.environ["MOTCUA_DATA_DIR"] = str(work / "data")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DATABASES["default"]["NAME"] = str(work / "bench.sqlite3")
    settings.MEDIA_ROOT = str(work / "media")
    call_command("migrate", verbosity=0)

    from motcua.digitise import pipeline
    from motcua.digitise.choices import Status
    from motcua.digitise.services import digitisation_request, digitisation_run
    from motcua.digitise.tests.conftest import birth_certificate
    from motcua.dossiers.services import Applicant, Component, dossier_file_attach
    from motcua.dossiers.tests.world import build_world
    from motcua.signatures.devca import create_dev_ca

    ca = create_dev_ca(work / "ca")
    settings.MOTCUA_SIGNERS = json.loads(ca.signers_json)
    settings.MOTCUA_SIGNING_TRUST_ROOTS = [str(ca.root_pem)]
    settings.MOTCUA_DIGITISE_SIGNER = "digitiser"

    world = build_world()
    pages = [birth_certificate(angle=90 if i % 2 else 0, seed=i) for i in range(args.pages)]
    print(f"{len(pages)} pages, {sum(map(len, pages)) // 1024} KiB of JPEG; {args.runs} runs")

    def job_round(round_no: int) -> float:
        dossier = world.create(
            applicant=Applicant(name="Nguyễn Thị Hồng Nhung", id_number="006315001234"),
            components=[Component(f"Giấy khai sinh {round_no}", originals=1)],
            at="02/01/2024 08:00",
        )
        component = dossier.components.get()
        start = time.perf_counter()
        for i, data in enumerate(pages):
            stored = dossier_file_attach(
                dossier_id=dossier.pk,
                upload=io.BytesIO(data),
                name=f"trang-{i}.jpg",
                component_id=component.pk,
            )
            done = digitisation_run(digitisation_id=digitisation_request(file_id=stored.pk).pk)
            if done.status != Status.DONE:
                raise SystemExit(f"page {i}: {done.status} {done.reason}")
        return len(pages) / (time.perf_counter() - start)

    def plain_round() -> float:
        start = time.perf_counter()
        for data in pages:
            pipeline.make_pdfa(pipeline.image_to_pdf(data))
        return len(pages) / (time.perf_counter() - start)

    job, plain = [], []
    for round_no in range(args.runs):
        # Alternated, so a slower machine phase weighs on both sides alike.
        plain.append(plain_round())
        job.append(job_round(round_no))
        print(f"run {round_no + 1}: job {job[-1]:.3f} pages/s, ocrmypdf {plain[-1]:.3f} pages/s")
    job_median, plain_median = statistics.median(job), statistics.median(plain)
    ratio = job_median / plain_median
    verdict = "met" if ratio >= TARGET else "NOT met"
    print(f"median: job {job_median:.3f} pages/s, ocrmypdf {plain_median:.3f} pages/s")
    print(f"ratio job / ocrmypdf: {ratio:.2f}".replace(".", ",") + f" (target >= 0,8: {verdict})")


if __name__ == "__main__":
    main()
