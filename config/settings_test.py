"""Settings for the test suite: the test environment, with a data directory of its own."""

import os
import tempfile

os.environ["AMPARO_ENV"] = "test"
os.environ.setdefault("AMPARO_DATA_DIR", tempfile.mkdtemp(prefix="amparo-test-"))
# Concurrent runs on one PostgreSQL server must not share (and drop) one test database.
os.environ.setdefault("AMPARO_TEST_DATABASE", f"test_amparo_{os.getpid()}")

from config.settings import *  # noqa: F403

# Tasks run where they are enqueued: a test sees the scan's effects without a worker.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
