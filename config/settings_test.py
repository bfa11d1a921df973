"""Settings for the test suite: the test environment, with a data directory of its own."""

import os
import tempfile

os.environ["AMPARO_ENV"] = "test"
os.environ.setdefault("AMPARO_DATA_DIR", tempfile.mkdtemp(prefix="amparo-test-"))

from config.settings import *  # noqa: E402, F403
