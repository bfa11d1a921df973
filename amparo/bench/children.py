"""Run one bench step as a child process and read its wall time and peak memory (max RSS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Heavy steps yield to whatever else the machine is doing; the figures say so.
NICE = ["nice", "-n", "10"]


class StepFailed(Exception):
    """A child step exited non-zero; the message carries the end of its stderr."""


@dataclass
class StepResult:
    seconds: float
    peak_rss_mib: float
    inner: dict[str, Any] = field(default_factory=dict)


def amparo_argv(*args: str) -> list[str]:
    return [*NICE, sys.executable, "-m", "amparo.cli", *args]


def run_child(argv: list[str], *, env: dict[str, str], log: Path) -> StepResult:
    """Run argv to completion; os.wait4 gives this child's own rusage (not the maximum over all
    children so far, which is what RUSAGE_CHILDREN would give)."""
    started = time.perf_counter()
    with log.open("ab") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise StepFailed(f"{' '.join(argv[3:6])}… exited {process.returncode}:\n{tail}")
    # ru_maxrss is in KiB on Linux.
    return StepResult(seconds=seconds, peak_rss_mib=round(usage.ru_maxrss / 1024, 1))


def run_timed(
    command: list[str], *, env: dict[str, str], log: Path, result: Path, profile: Path | None = None
) -> StepResult:
    """Run an amparo command through `bench_step timed`, which times the command itself
    (without the interpreter's start) and writes the figure to `result`."""
    extra = ["--profile", str(profile)] if profile else []
    step = run_child(
        amparo_argv("bench_step", "--result", str(result), *extra, "timed", "--", *command),
        env=env,
        log=log,
    )
    step.inner = json.loads(result.read_text())
    return step


def process_tree_peak_rss_mib(root: int) -> float:
    """Sum of the high-water RSS (VmHWM) of a process and its children, from /proc."""
    pids = [root, *_children(root)]
    total_kib = 0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total_kib += int(line.split()[1])
    return round(total_kib / 1024, 1)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found
