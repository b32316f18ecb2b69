"""Settings for the test suite: the normal settings with MOTCUA_ENV=test and a throwaway data dir."""

import os
import tempfile

os.environ["MOTCUA_ENV"] = "test"
os.environ.setdefault("MOTCUA_DATA_DIR", tempfile.mkdtemp(prefix="motcua-test-"))

from motcua.settings import *  # noqa: E402, F403
