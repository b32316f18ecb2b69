"""Test settings: the normal settings with MOTCUA_ENV=test and a throw-away data directory."""

import os
import tempfile

os.environ["MOTCUA_ENV"] = "test"
os.environ.setdefault("MOTCUA_DATA_DIR", tempfile.mkdtemp(prefix="motcua-test-"))

from motcua.settings import *  # noqa: E402, F403

# Tests roll back their data without signals: never trust a calendar cached by an earlier test.
MOTCUA_CLOCK = {**MOTCUA_CLOCK, "CACHE_SECONDS": 0}  # noqa: F405
# Nor the ledger's rollups taken: a flush between transactional tests removes them.
MOTCUA_LEDGER_TAKEN_SECONDS = 0
