"""``motcua restore`` / ``motcua backup`` refuse bad input with a message naming it, before they
touch the database (no database needed: these run in the SQLite pass only)."""

from __future__ import annotations

import io
import json
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from motcua.ops.backup import MANIFEST, BackupError, restore


def tar_with(path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))


@translation.override("en")
def test_restore_refuses_what_is_not_a_motcua_backup(tmp_path):
    with pytest.raises(BackupError, match="is not a file"):
        restore(tmp_path / "missing.tar")
    garbage = tmp_path / "garbage.tar"
    garbage.write_bytes(b"not a tar archive at all" * 100)
    with pytest.raises(BackupError, match="is not a tar archive"):
        restore(garbage)
    empty = tmp_path / "empty.tar"
    tar_with(empty, {"hello.txt": b"hi"})
    with pytest.raises(BackupError, match="has no manifest.json"):
        restore(empty)
    odd = tmp_path / "odd.tar"
    tar_with(odd, {MANIFEST: json.dumps({"format": 99, "engine": "oracle"}).encode()})
    with pytest.raises(BackupError, match="is not a motcua backup manifest"):
        restore(odd)
    # Vietnamese by default.
    with translation.override("vi"), pytest.raises(BackupError, match="không phải là tệp"):
        restore(tmp_path / "missing.tar")


def test_backup_refuses_an_existing_file_or_a_missing_folder(tmp_path):
    taken = tmp_path / "taken.tar"
    taken.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(taken), "--lang", "en")
    assert taken.read_bytes() == b"keep me"
    with pytest.raises(CommandError, match="does not exist"):
        call_command("backup", str(tmp_path / "no" / "such.tar"), "--lang", "en")
    with pytest.raises(CommandError, match="--lang"):
        call_command("restore", str(taken), "--lang", "fr")
