"""The media storage on S3-compatible object storage (``MOTCUA_STORAGE=s3``; docs/deployment.md,
"Files and object storage"). Apart from ``lib.uploads`` so that boto3, slow to import, is
imported only by processes configured for it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from botocore.exceptions import ClientError
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

from motcua.lib.uploads import PendingReads, pending_name


class S3UploadStorage(PendingReads, S3Storage):  # type: ignore[misc]  # untyped library
    """The media storage on S3-compatible object storage (MinIO, Ceph RGW, a cloud's), shared
    by every web process and worker (``MOTCUA_STORAGE=s3``). A pending object is
    ``pending/<final name>`` in the same bucket; the commit copies it to its final key inside
    the server and deletes the pending one."""

    def promote(self, name: str) -> bool:
        """Copy the pending object of ``name`` to ``name`` on the server, then delete it."""
        source = self._normalize_name(clean_name(pending_name(name)))
        target = self._normalize_name(clean_name(name))
        client = self.connection.meta.client
        try:
            client.copy_object(
                Bucket=self.bucket_name,
                Key=target,
                CopySource={"Bucket": self.bucket_name, "Key": source},
                MetadataDirective="COPY",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return False
            raise
        client.delete_object(Bucket=self.bucket_name, Key=source)
        return True

    def walk(self, folder: str) -> Iterator[tuple[str, datetime]]:
        """Every object under ``folder`` (storage names) with its last-modified moment: one
        listing request per thousand objects, no request per object."""
        prefix = self._normalize_name(clean_name(folder)) if folder else self.location
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        skip = len(self.location.rstrip("/") + "/") if self.location else 0
        paginator = self.connection.meta.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket_name, Prefix=prefix):
            for entry in page.get("Contents", ()):
                yield entry["Key"][skip:], entry["LastModified"]
