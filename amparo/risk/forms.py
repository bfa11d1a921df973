"""Forms of the risk pages: the assessment instrument, decisions, procedures. They build the
services' data objects; the services validate again and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.core.forms import choice_field
from amparo.registry.models import Person
from amparo.risk.models import (
    Capacity,
    ColombianCriterion,
    GenderFactor,
    Horizon,
    Participation,
    Procedure,
    RiskLevel,
    Vulnerability,
)
from amparo.risk.services import (
    THREAT_STEPS,
    AssessmentData,
    ChecklistItem,
    RelativeLevel,
    ThreatAnalysis,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
THREAT_BLOCKS = 3
STEP_LABELS = {
    "facts": _("1. Facts: what happened, when, how"),
    "pattern": _("2. Pattern: earlier threats, means, timing, symbols"),
    "objective": _("3. Objective: what the threat seeks"),
    "author": _("4. Author: who is behind it (only after steps 1–3)"),
    "feasibility": _("5. Feasibility: can it be carried out?"),
}
SCORE_HELP = _("0 none · 1 low · 2 moderate · 3 high · 4 very high")
ITEM_SCORES = [("", "—"), *[(str(n), str(n)) for n in range(5)]]


def _scores(low: int) -> list[tuple[str, str]]:
    return [(str(n), str(n)) for n in range(low, 5)]


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)
    threat = forms.TypedChoiceField(
        label=_("Threat (T)"), choices=_scores(0), coerce=int, help_text=SCORE_HELP
    )
    vulnerability = forms.TypedChoiceField(
        label=_("Vulnerability (V)"), choices=_scores(0), coerce=int, help_text=SCORE_HELP
    )
    capacity = forms.TypedChoiceField(
        label=_("Capacity (C)"),
        choices=_scores(1),
        coerce=int,
        help_text=_("1 none or very low · 2 some · 3 good · 4 strong"),
    )
    colombian_criteria = forms.MultipleChoiceField(
        label=_("Colombian criteria that hold"),
        choices=ColombianCriterion.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "All eight of the first list: extraordinary (high); plus grave and imminent: extreme."
        ),
    )
    horizon = forms.ChoiceField(label=_("Horizon"), choices=Horizon.choices)
    gender_factors = forms.MultipleChoiceField(
        label=_("Gender-specific factors"),
        choices=GenderFactor.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    participation = forms.ChoiceField(
        label=_("The defender's participation"), choices=Participation.choices
    )
    participation_note = forms.CharField(
        label=_("How the defender took part"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    rationale = forms.CharField(
        label=_("Rationale"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    level = forms.ChoiceField(
        label=_("Final level"),
        required=False,
        choices=[("", _("— the computed level —")), *RiskLevel.choices],
    )
    level_justification = forms.CharField(
        label=_("Why the final level differs from the computed one"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    is_reevaluation = forms.BooleanField(
        label=_("This is a re-evaluation (required to lower the level)"), required=False
    )
    reevaluation_reason = forms.CharField(
        label=_("What the re-evaluation found"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    procedure = forms.ChoiceField(label=_("Under procedure"), required=False)

    def __init__(
        self,
        *args: Any,
        relatives: list[Person],
        procedures: list[Procedure],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.relatives = relatives
        self.procedures = {p.code: p for p in procedures}
        choice_field(self, "procedure").choices = [("", "—")] + [
            (p.code, f"{p.code} ({p.get_kind_display()})") for p in procedures
        ]
        for index in range(THREAT_BLOCKS):
            for step in THREAT_STEPS:
                self.fields[f"threat{index}_{step}"] = forms.CharField(
                    label=STEP_LABELS[step],
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
        for prefix, vocabulary in (("v", Vulnerability), ("c", Capacity)):
            for code, label in vocabulary.choices:
                self.fields[f"{prefix}_{code}_score"] = forms.ChoiceField(
                    label=label, choices=ITEM_SCORES, required=False
                )
                self.fields[f"{prefix}_{code}_evidence"] = forms.CharField(
                    label=_("Evidence"), required=False, max_length=2000
                )
        for person in relatives:
            self.fields[f"r_{person.pk.hex}_level"] = forms.ChoiceField(
                label=person.external_id,
                choices=[("", _("— not assessed —")), *RiskLevel.choices],
                required=False,
            )
            self.fields[f"r_{person.pk.hex}_note"] = forms.CharField(
                label=_("Note"), required=False, max_length=2000
            )

    # Rows for the template ----------------------------------------------------------------

    def threat_blocks(self) -> list[list[Any]]:
        return [
            [self[f"threat{index}_{step}"] for step in THREAT_STEPS]
            for index in range(THREAT_BLOCKS)
        ]

    def _checklist(self, prefix: str, vocabulary: Any) -> list[tuple[Any, Any]]:
        return [
            (self[f"{prefix}_{code}_score"], self[f"{prefix}_{code}_evidence"])
            for code in vocabulary.values
        ]

    def vulnerability_rows(self) -> list[tuple[Any, Any]]:
        return self._checklist("v", Vulnerability)

    def capacity_rows(self) -> list[tuple[Any, Any]]:
        return self._checklist("c", Capacity)

    def relative_rows(self) -> list[tuple[Person, Any, Any]]:
        return [
            (p, self[f"r_{p.pk.hex}_level"], self[f"r_{p.pk.hex}_note"]) for p in self.relatives
        ]

    # Data ---------------------------------------------------------------------------------

    def to_data(self) -> AssessmentData:
        data = self.cleaned_data

        def items(prefix: str, vocabulary: Any) -> list[ChecklistItem]:
            return [
                ChecklistItem(
                    code, int(data[f"{prefix}_{code}_score"]), data[f"{prefix}_{code}_evidence"]
                )
                for code in vocabulary.values
                if data.get(f"{prefix}_{code}_score") not in (None, "")
            ]

        threats = [
            ThreatAnalysis(**{step: data[f"threat{index}_{step}"] for step in THREAT_STEPS})
            for index in range(THREAT_BLOCKS)
        ]
        return AssessmentData(
            threat=data["threat"],
            vulnerability=data["vulnerability"],
            capacity=data["capacity"],
            assessed_on=data["assessed_on"],
            horizon=data["horizon"],
            colombian_criteria=list(data["colombian_criteria"]),
            gender_factors=list(data["gender_factors"]),
            participation=data["participation"],
            participation_note=data["participation_note"],
            threats=[t for t in threats if any(t.as_dict().values())],
            vulnerabilities=items("v", Vulnerability),
            capacities=items("c", Capacity),
            rationale=data["rationale"],
            level=data["level"],
            level_justification=data["level_justification"],
            is_reevaluation=data["is_reevaluation"],
            reevaluation_reason=data["reevaluation_reason"],
            relatives=[
                RelativeLevel(p, data[f"r_{p.pk.hex}_level"], data[f"r_{p.pk.hex}_note"])
                for p in self.relatives
                if data.get(f"r_{p.pk.hex}_level")
            ],
        )

    def selected_procedure(self) -> Procedure | None:
        return self.procedures.get(self.cleaned_data.get("procedure") or "")

    @staticmethod
    def initial_from(data: AssessmentData, procedure: Procedure | None) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "assessed_on": data.assessed_on,
            "threat": data.threat,
            "vulnerability": data.vulnerability,
            "capacity": data.capacity,
            "horizon": data.horizon,
            "colombian_criteria": data.colombian_criteria,
            "gender_factors": data.gender_factors,
            "participation": data.participation,
            "participation_note": data.participation_note,
            "rationale": data.rationale,
            "level": data.level,
            "level_justification": data.level_justification,
            "is_reevaluation": data.is_reevaluation,
            "reevaluation_reason": data.reevaluation_reason,
            "procedure": procedure.code if procedure else "",
        }
        for index, threat in enumerate(data.threats[:THREAT_BLOCKS]):
            for step, text in threat.as_dict().items():
                initial[f"threat{index}_{step}"] = text
        for prefix, items in (("v", data.vulnerabilities), ("c", data.capacities)):
            for item in items:
                initial[f"{prefix}_{item.code}_score"] = str(item.score)
                initial[f"{prefix}_{item.code}_evidence"] = item.evidence
        for relative in data.relatives:
            initial[f"r_{relative.person.pk.hex}_level"] = relative.level
            initial[f"r_{relative.person.pk.hex}_note"] = relative.note
        return initial


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is rejected"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ProcedureOpenForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Procedure"),
        choices=Procedure.Kind.choices,
        widget=forms.RadioSelect,
        initial=Procedure.Kind.URGENT,
    )
    reason = forms.CharField(
        label=_("Why (the facts that make the danger imminent, or the request)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )
