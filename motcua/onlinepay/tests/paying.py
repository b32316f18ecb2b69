"""Helpers shared by the tests that pay through the sandbox (``test_gateway_path``) and the
citizen's whole path in a browser (``portal/tests/test_citizen_online_browser``): the
citizen's browser following the gateway back to the app, and the day's reconciliation run
as a person runs it, from the command line."""

from __future__ import annotations

import urllib.request
from io import StringIO
from pathlib import Path

from django.core.management import call_command


def browse(url: str) -> str:
    """The citizen's browser: open the gateway's page, follow it back to the app."""
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read().decode()


def reconcile(statement: Path, *, command: str = "payments") -> tuple[int, list[str]]:
    """``motcua <command> reconcile --provider vnpay --statement FILE`` (``payments``, or
    ``onlinepay``, its older name): the exit status (0 when it did not exit, 1 when it found
    differences) and the lines it printed."""
    out = StringIO()
    try:
        call_command(
            command, "reconcile", "--provider", "vnpay", "--statement", str(statement), stdout=out
        )
        code = 0
    except SystemExit as exit_code:
        code = int(exit_code.code or 0)
    return code, out.getvalue().splitlines()
