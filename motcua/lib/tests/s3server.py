"""A real S3-compatible server for the storage tests: moto's standalone server (``moto_server``,
from ``moto[server]`` on PyPI, a dev dependency) run as a separate process on 127.0.0.1.

It speaks the S3 REST protocol over HTTP (signatures, multipart uploads, server-side copy,
listing with pagination), so django-storages and boto3 are exercised exactly as against MinIO
or Ceph RGW; only the object store behind it lives in the server's memory. MinIO itself is not
packaged on PyPI, Debian or npm (docs/deployment.md, "Files and object storage").

Fixtures: ``s3_server`` (session: the endpoint), ``s3_storage`` (a fresh bucket per test, made
the default storage through ``settings.STORAGES``, as ``MOTCUA_STORAGE=s3`` does).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ACCESS_KEY = "motcua-test"
SECRET_KEY = "motcua-test-secret"
REGION = "us-east-1"
START_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _moto_server() -> str | None:
    beside = Path(sys.executable).with_name("moto_server")
    return str(beside) if beside.exists() else shutil.which("moto_server")


def start(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start moto's S3 server on a free port of 127.0.0.1; the process and its endpoint."""
    program = _moto_server()
    if program is None:
        if os.environ.get("CI") == "true":
            pytest.fail("moto_server is missing: `pip install -e .[dev]` installs moto[server]")
        pytest.skip("moto_server (moto[server]) is not installed: S3 storage tests skipped")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [program, "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1):
                return process, endpoint
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"moto_server did not answer on {endpoint} within {START_SECONDS} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def client(endpoint: str) -> Any:
    """A plain boto3 client of the server (what an attacker with bucket access holds)."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def storage_options(endpoint: str, bucket: str) -> dict[str, Any]:
    """``STORAGES["default"]`` as settings.py builds it for ``MOTCUA_STORAGE=s3``."""
    return {
        "BACKEND": "motcua.lib.s3storage.S3UploadStorage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": REGION,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "addressing_style": "path",
            "location": "",
            "signature_version": "s3v4",
            "file_overwrite": True,
            "default_acl": None,
            "querystring_auth": True,
        },
    }


def environment(endpoint: str, bucket: str) -> dict[str, str]:
    """The environment a motcua process needs for the same bucket (``MOTCUA_STORAGE=s3``)."""
    return {
        "MOTCUA_STORAGE": "s3",
        "MOTCUA_S3_ENDPOINT": endpoint,
        "MOTCUA_S3_BUCKET": bucket,
        "MOTCUA_S3_REGION": REGION,
        "MOTCUA_S3_ACCESS_KEY": ACCESS_KEY,
        "MOTCUA_S3_SECRET_KEY": SECRET_KEY,
        "MOTCUA_S3_ADDRESSING_STYLE": "path",
    }


def new_bucket(endpoint: str) -> str:
    name = f"motcua-{uuid.uuid4().hex[:12]}"
    client(endpoint).create_bucket(Bucket=name)
    return name


def keys(endpoint: str, bucket: str) -> list[str]:
    """Every key in ``bucket``, sorted."""
    found: list[str] = []
    pages = client(endpoint).get_paginator("list_objects_v2").paginate(Bucket=bucket)
    for page in pages:
        found += [entry["Key"] for entry in page.get("Contents", ())]
    return sorted(found)


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The endpoint of a moto S3 server running for the whole session."""
    process, endpoint = start(tmp_path_factory.mktemp("s3server") / "moto.log")
    try:
        yield endpoint
    finally:
        stop(process)


@pytest.fixture
def s3_storage(s3_server: str, settings: Any) -> tuple[str, str]:
    """A fresh bucket made the default storage for one test: (endpoint, bucket)."""
    bucket = new_bucket(s3_server)
    settings.STORAGES = {**settings.STORAGES, "default": storage_options(s3_server, bucket)}
    return s3_server, bucket
