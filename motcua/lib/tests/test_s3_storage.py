"""Files on S3-compatible object storage (issue 15 item 2), against a real S3 server started by
the harness (moto's standalone server on 127.0.0.1, ``s3server.py``).

A scan uploaded through the real service waits under ``pending/`` until its row commits, is
then copied to its final key on the server, and reads back intact; an object altered in the
bucket is refused (never served) and logged; the janitor, through the storage API alone,
moves a committed pending object into place, removes one with no row and an orphan. The db
fixture runs these in the PostgreSQL pass too.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.test import RequestFactory
from django.utils import timezone

from motcua.dossiers.models import DossierFile
from motcua.dossiers.services import dossier_file_attach
from motcua.dossiers.tests.world import World, build_world
from motcua.lib import uploads
from motcua.lib.janitor import files_clean
from motcua.lib.s3storage import S3UploadStorage
from motcua.lib.tests.s3server import client, keys
from motcua.lib.tests.s3server import s3_server as s3_server  # the fixtures
from motcua.lib.tests.s3server import s3_storage as s3_storage

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LATER = timedelta(hours=25)  # past the janitor's default grace of 24 hours


@pytest.fixture
def world(db) -> World:
    return build_world()


def attach(dossier, data=PDF):
    return dossier_file_attach(dossier_id=dossier.pk, upload=BytesIO(data), name="to-khai.pdf")


def test_a_scan_goes_to_the_bucket_on_commit_and_reads_back_checked(
    world, s3_storage, django_capture_on_commit_callbacks
):
    endpoint, bucket = s3_storage
    dossier = world.create()
    with django_capture_on_commit_callbacks(execute=True):
        stored = attach(dossier)
        # Before the commit the object waits under pending/, and reads back already.
        assert keys(endpoint, bucket) == [f"pending/{stored.file.name}"]
        assert stored.file.open("rb").read() == PDF
    assert isinstance(default_storage._wrapped, S3UploadStorage)
    assert keys(endpoint, bucket) == [stored.file.name]
    row = DossierFile.objects.get()
    assert row.sha256 == hashlib.sha256(PDF).hexdigest()
    assert uploads.open_checked(row.file, row.sha256).read() == PDF
    response = uploads.checked_file_response(
        RequestFactory().get("/"),
        row.file,
        row.sha256,
        content_type=row.content_type,
        filename=row.original_name,
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[union-attr]


def test_an_object_altered_in_the_bucket_is_refused_and_logged(
    world, s3_storage, django_capture_on_commit_callbacks, caplog
):
    endpoint, bucket = s3_storage
    with django_capture_on_commit_callbacks(execute=True):
        stored = attach(world.create())
    forged = PDF.replace(b"1 0 obj", b"9 0 obj")
    client(endpoint).put_object(Bucket=bucket, Key=stored.file.name, Body=forged)
    row = DossierFile.objects.get()
    with caplog.at_level(logging.ERROR, logger="motcua.lib.uploads"):
        with pytest.raises(uploads.StoredFileUnreadable) as refused:
            uploads.open_checked(row.file, row.sha256)
        response = uploads.checked_file_response(
            RequestFactory().get("/"),
            row.file,
            row.sha256,
            content_type=row.content_type,
            filename=row.original_name,
        )
    assert row.file.name in refused.value.message
    assert response.status_code == 500
    assert forged not in response.content
    assert row.file.name in response.content.decode()  # the message names the file
    assert any("stored file refused" in r.getMessage() for r in caplog.records)
    # A missing object is refused the same way.
    client(endpoint).delete_object(Bucket=bucket, Key=stored.file.name)
    with pytest.raises(uploads.StoredFileUnreadable):
        uploads.open_checked(row.file, row.sha256)


def test_the_janitor_cleans_the_bucket_through_the_storage_api(world, s3_storage):
    endpoint, bucket = s3_storage
    # A row whose transaction "committed" but whose move was lost: the commit callback never
    # runs inside the test's transaction, as when a process dies between commit and move.
    kept = attach(world.create())
    s3 = client(endpoint)
    s3.put_object(Bucket=bucket, Key="pending/dossiers/2026/01/lost.pdf", Body=PDF)
    orphan = timezone.localtime().strftime("dossiers/%Y/%m/orphan.pdf")
    s3.put_object(Bucket=bucket, Key=orphan, Body=PDF)
    # An orphan in a folder of years ago (a hand copy, an older database restored): only the
    # full sweep lists it; the daily run lists the recent months' folders.
    s3.put_object(Bucket=bucket, Key="dossiers/2020/01/old.pdf", Body=PDF)
    assert len(keys(endpoint, bucket)) == 4
    # Nothing younger than the grace period is touched.
    assert files_clean().total == 0
    done = files_clean(now=timezone.now() + LATER)
    assert (done.pending_moved, done.pending_removed, done.orphans_removed) == (1, 1, 1)
    assert keys(endpoint, bucket) == ["dossiers/2020/01/old.pdf", kept.file.name]
    assert files_clean(now=timezone.now() + LATER, full=True).orphans_removed == 1
    assert keys(endpoint, bucket) == [kept.file.name]
    assert uploads.open_checked(kept.file, kept.sha256).read() == PDF
