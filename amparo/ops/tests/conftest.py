"""The drills (marked `drill`) run under `make verify` or `pytest -m drill`, not in `make test`."""

from __future__ import annotations

import os
import uuid

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "drill" in (config.option.markexpr or ""):
        return
    skip = pytest.mark.skip(reason="a verification drill: run with `make verify` or -m drill")
    for item in items:
        if item.get_closest_marker("drill"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _own_attachments_dir(settings, tmp_path):
    """Each test's attachments apart, so a backup holds exactly what the test wrote."""
    settings.AMPARO_ATTACHMENTS_DIR = tmp_path / "live-attachments"


@pytest.fixture
def empty_database(settings):
    """Make empty PostgreSQL databases to restore into (None on SQLite); dropped afterwards."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        yield lambda: None
        return
    import psycopg

    config = settings.DATABASES["default"]
    admin = psycopg.connect(
        dbname="postgres",
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        autocommit=True,
    )
    made: list[str] = []

    def make() -> str:
        name = f"amparo_restore_{uuid.uuid4().hex[:8]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        auth = config["USER"] + (f":{config['PASSWORD']}" if config["PASSWORD"] else "")
        return f"postgres://{auth}@{config['HOST'] or 'localhost'}:{config['PORT'] or 5432}/{name}"

    yield make
    for name in made:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()
