"""Building blocks of the risk tests: a fixed time, canaries, assessment data."""

from __future__ import annotations

import datetime

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)
INSTRUMENT_CANARY = "CANARY-INSTRUMENT-7f3a"
RATIONALE_CANARY = "CANARY-RATIONALE-91bc"


def make_data(**overrides):
    from amparo.risk.services import AssessmentData, ChecklistItem, ThreatAnalysis

    values = {
        "threat": 3,
        "vulnerability": 3,
        "capacity": 1,
        "assessed_on": datetime.date(2026, 11, 19),
        "horizon": "short",
        "participation": "participated",
        "participation_note": "Interviewed at the office",
        "threats": [
            ThreatAnalysis(
                facts=f"Pamphlet naming her {INSTRUMENT_CANARY}",
                pattern="Third pamphlet since August",
                objective="Stop the land claim",
                author="Armed group active in the area",
                feasibility="The group has killed two leaders this year",
            )
        ],
        "vulnerabilities": [ChecklistItem("location", 4, "Lives in a rural vereda")],
        "capacities": [ChecklistItem("networks", 1, "Small community network")],
        "rationale": f"High and rising {RATIONALE_CANARY}",
    }
    values.update(overrides)
    return AssessmentData(**values)
