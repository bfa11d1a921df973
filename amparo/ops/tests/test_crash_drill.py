"""Drill: acknowledged writes survive `kill -9` of the real server, on SQLite and on PostgreSQL
(with DATABASE_URL: a throw-away database on that server). Figures in make verify."""

from __future__ import annotations

import pytest

from amparo.ops.crash import crash_drill
from amparo.ops.figures import report

pytestmark = pytest.mark.drill


def test_no_acknowledged_write_is_lost_to_kill_9(tmp_path):
    result = crash_drill(tmp_path)
    report(f"crash[{result.database}]", **vars(result))
    assert result.acknowledged >= 100
    assert result.lost == 0
    assert result.audit_missing == 0
    assert result.integrity == "ok"
    assert result.audit_verify == "ok"
    assert result.read_back_failures == 0
    assert result.read_back > 0
    assert result.server_log_hits == 0
    assert result.lost_control == 1
