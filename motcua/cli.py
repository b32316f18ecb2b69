"""The ``motcua`` command: Django's management commands plus the project's own subcommands."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    # The SQLite file and uploads live in DATA_DIR; create it on first use.
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    execute_from_command_line(["motcua", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
