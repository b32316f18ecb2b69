"""WhiteNoise, the static files of every web process (docs/deployment.md, "Static files")."""

from __future__ import annotations

import os

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware


class StaticFilesMiddleware(WhiteNoiseMiddleware):  # type: ignore[misc]
    """WhiteNoise's middleware. Without the manifest (development, tests) the files come from
    the apps' folders and STATIC_ROOT need not exist: no warning about it on every start."""

    def add_files(self, root: str, prefix: str | None = None) -> None:
        if not settings.STATIC_MANIFEST and not os.path.isdir(root):
            return
        super().add_files(root, prefix)
