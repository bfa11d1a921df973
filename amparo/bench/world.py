"""The bench's data: a generated world split into three import stages of its incidents.

Stage 1 holds every record that is not an incident and 10 % of the incidents, stage 2 another
20 %, stage 3 the remaining 70 %; incidents go to a stage by their position in the file (every
tenth line, then two in ten, ...), so each stage spans the whole period.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

FULL_DEFENDERS = 100_000
QUICK_SCALE = 0.1
# Share of the incidents loaded after each stage, cumulative.
STAGE_SHARES = (0.1, 0.3, 1.0)


@dataclass(frozen=True)
class Stages:
    files: tuple[Path, Path, Path]
    incidents: tuple[int, int, int]  # incidents in each stage file
    other_records: int

    @property
    def cumulative_incidents(self) -> list[int]:
        total, out = 0, []
        for count in self.incidents:
            total += count
            out.append(total)
        return out


def defenders_for(scale: float) -> int:
    return max(60, round(FULL_DEFENDERS * scale))


def stage_of(position: int) -> int:
    """0, 1 or 2: the stage of the position-th incident line (10 %, 20 %, 70 %)."""
    tenth = position % 10
    if tenth == 0:
        return 0
    return 1 if tenth <= 2 else 2


def split_stages(world: Path, directory: Path) -> Stages:
    files = tuple(directory / f"stage-{n}.jsonl" for n in (1, 2, 3))
    counts = [0, 0, 0]
    other = 0
    handles = [path.open("w", encoding="utf-8") for path in files]
    try:
        with world.open(encoding="utf-8") as lines:
            for line in lines:
                if '"type":"incident"' in line or json.loads(line).get("type") == "incident":
                    stage = stage_of(sum(counts))
                    counts[stage] += 1
                    handles[stage].write(line)
                else:
                    other += 1
                    handles[0].write(line)
    finally:
        for handle in handles:
            handle.close()
    return Stages(
        files=(files[0], files[1], files[2]),
        incidents=(counts[0], counts[1], counts[2]),
        other_records=other,
    )


def period_of(world: Path) -> tuple[str, str]:
    """The generated period (first and last day) from the ground-truth file."""
    truth = json.loads(Path(f"{world}.truth.json").read_text())
    return truth["period"]["start"], truth["period"]["end"]
