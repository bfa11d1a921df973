"""The early-warning configuration: every threshold, window, weight and level rule in one place.

Defaults live in :class:`EngineConfig`; a deployment overrides them with versioned
:class:`~amparo.earlywarning.models.AlertConfig` rows (the latest is in force), written only by
:func:`config_save` (coordinators and administrators, validated, audited).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max

from amparo.accounts.models import Role, User
from amparo.audit.services import audit_record
from amparo.core.policy import deny, role_of
from amparo.core.validation import Errors
from amparo.core.vocab import DEFAULT_WINDOWS, GRAVE_VIOLATIONS
from amparo.earlywarning.models import AlertConfig, AlertLevel

LEVELS = (AlertLevel.WATCH.value, AlertLevel.WARNING.value, AlertLevel.URGENT.value)
OFF = "off"  # a rule whose level is "off" does not raise anything


def _windows() -> dict[str, list[int]]:
    return {kind: [w.lead_days, w.tail_days] for kind, w in DEFAULT_WINDOWS.items()}


def _horizons() -> dict[str, str]:
    return {kind: w.horizon for kind, w in DEFAULT_WINDOWS.items()}


@dataclass(frozen=True)
class EngineConfig:
    """Defaults of the four rule families and of the pipeline (docs/early-warning.md)."""

    # Calendar: [lead, tail] days per event kind (an event's own lead/tail days win).
    windows: dict[str, list[int]] = field(default_factory=_windows)
    horizons: dict[str, str] = field(default_factory=_horizons)
    notice_days: int = 14  # alert this many days before the window opens
    calendar_level_by_horizon: dict[str, str] = field(
        default_factory=lambda: {"short": "warning", "long": "watch"}
    )
    calendar_level_by_kind: dict[str, str] = field(default_factory=dict)  # overrides horizon
    # Peaks inside a window: [days before start, days after end] per event kind, raised at
    # calendar_peak_level (election violence concentrates near the vote: early-warning-realdata §3).
    calendar_peak_days: dict[str, list[int]] = field(default_factory=lambda: {"election": [45, 14]})
    calendar_peak_level: str = "warning"
    # Individual escalation.
    # Defaults tuned by back-test (docs/early-warning-backtest.md, "Tuning").
    escalation_days: int = 7  # look-back for threats, relatives' incidents
    death_threat_days: int = 30  # look-back for the death_threat finding; 0: escalation_days
    # "incident": look back by incident date; "report": by the day it became known, so a
    # threat reported late still counts for escalation_days after its report.
    escalation_clock: str = "report"
    escalation_expiry_days: int = 7
    threat_violations: list[str] = field(
        default_factory=lambda: ["death_threat", "threat", "intimidation"]
    )
    reprisal_contexts: list[str] = field(
        default_factory=lambda: ["publication", "judicial_proceeding", "un_engagement"]
    )
    # Level of each escalation finding, or "off" (docs/early-warning.md §2).
    escalation_level_by_finding: dict[str, str] = field(
        default_factory=lambda: {
            "death_threat": "urgent",
            "threat_after_exposure": "warning",
            "threat": "warning",
            "grave_attack": OFF,
            "repeated_incidents": OFF,
            "relative_targeted": "watch",
            "hazard": "warning",
        }
    )
    # The defender's own hazard score: every own incident known by the day, dated within
    # hazard_days, weighs hazard_weights[group] x 0.5 ** (age / hazard_half_life_days), group
    # "grave", "threat" (threat_violations) or "other". At hazard_threshold or more the
    # "hazard" finding is raised. A "threat" or "relative_targeted" finding on a defender whose
    # score is under hazard_warning_floor is held at watch (0: never), so that warnings go to
    # the defenders whose own record says most.
    hazard_days: int = 365
    hazard_half_life_days: float = 30.0
    hazard_weights: dict[str, float] = field(
        default_factory=lambda: {"grave": 1.0, "threat": 2.0, "other": 1.0}
    )
    hazard_threshold: float = 2.8
    hazard_warning_floor: float = 0.0
    # Budgeted warning level (0: off). On the daily scan every live defender gets one score,
    # warning_rank_weights[signal] x signal summed over: "hazard" (the hazard score), "threat"
    # (a threat finding), "relative" (relative_targeted), "network" (the network weight),
    # "colleagues" (a network candidate: >= network_min_victims colleagues attacked),
    # "calendar_peak" (inside an event peak), "calendar" (inside a short-horizon window, e.g.
    # a personal event), "regional" (inside a regional spike). Rule hits at warning are held at
    # watch; the top warning_budget share of the live registry, less the defenders already at
    # urgent, get an escalation warning "rank" that expires after warning_rank_expiry_days.
    # Urgent stays rule-based. The incremental scan after a write (a few defenders) cannot rank
    # the registry: it keeps the rules' own levels and the next daily scan applies the budget.
    # Off by default; weights fitted on seed 1, 2023 (docs/early-warning-backtest.md): the
    # hazard score alone ranked best, the other signals at 0.5-4 added nothing.
    warning_budget: float = 0.0
    warning_rank_weights: dict[str, float] = field(
        default_factory=lambda: {
            "hazard": 1.0,
            "threat": 0.0,
            "relative": 0.0,
            "network": 0.0,
            "colleagues": 0.0,
            "calendar_peak": 0.0,
            "calendar": 0.0,
            "regional": 0.0,
        }
    )
    warning_rank_expiry_days: int = 1
    repeat_count: int = 2
    repeat_days: int = 60
    unprotected_risk_levels: list[str] = field(default_factory=lambda: ["high", "extreme"])
    review_expiry_days: int = 14
    # Network effects.
    network_horizon_days: int = 90  # incidents older than this no longer propagate
    network_half_life_days: float = 15.0
    network_threshold: float = 0.5
    network_warning_threshold: float = 3.0
    network_link_weights: dict[str, float] = field(
        default_factory=lambda: {
            "organisation": 0.8,
            "relative": 1.0,
            "co_victim": 1.0,
            "perpetrator": 0.0,  # off: in back-tests it covered many, predicted little
        }
    )
    network_grave_weight: float = 1.0
    network_threat_weight: float = 0.0  # only grave attacks propagate
    # An organisation's members are linked only once this many distinct members of it were
    # victims of triggering incidents within network_horizon_days (1: every trigger counts).
    network_min_victims: int = 2
    perpetrator_days: int = 180
    # Regional spikes: overrides of RegionalConfig fields, and levels per violation group.
    regional: dict[str, Any] = field(
        default_factory=lambda: {"country_level": False, "all_categories": False, "budget": 2}
    )
    regional_groups: list[str] = field(default_factory=lambda: ["grave", "other"])  # alerting
    regional_level_by_group: dict[str, str] = field(
        default_factory=lambda: {"grave": "watch", "other": "watch"}
    )
    regional_expiry_days: int = 7
    # Pipeline.
    sla_hours: dict[str, int] = field(
        default_factory=lambda: {"urgent": 24, "warning": 72, "watch": 168}
    )
    recommended_measures: dict[str, list[str]] = field(
        default_factory=lambda: {
            "calendar": ["security_training", "protective_accompaniment"],
            "escalation": ["communication_equipment", "panic_button", "protective_accompaniment"],
            "network": ["security_training", "communication_equipment"],
            "regional": ["security_training", "public_statement"],
            "unprotected": ["communication_equipment", "panic_button"],
            "review_due": [],
        }
    )
    version: int = 0  # the AlertConfig version merged in; 0 = defaults only

    @property
    def grave_violations(self) -> frozenset[str]:
        return frozenset(str(v) for v in GRAVE_VIOLATIONS)

    def window(self, kind: str) -> tuple[int, int]:
        lead, tail = self.windows.get(kind, self.windows.get("other", [0, 14]))
        return int(lead), int(tail)

    def calendar_level(self, kind: str) -> str:
        if kind in self.calendar_level_by_kind:
            return self.calendar_level_by_kind[kind]
        return self.calendar_level_by_horizon.get(self.horizons.get(kind, "short"), "watch")

    def values(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data.pop("version")
        return data


_FIELDS = {f.name: f for f in dataclasses.fields(EngineConfig) if f.name != "version"}


def config_from_values(values: dict[str, Any], version: int = 0) -> EngineConfig:
    """Defaults with values merged over them (dicts merged key by key, one level deep)."""
    defaults = EngineConfig()
    merged: dict[str, Any] = {}
    for name, value in values.items():
        if name not in _FIELDS:
            continue
        default = getattr(defaults, name)
        merged[name] = {**default, **value} if isinstance(default, dict) else value
    return dataclasses.replace(defaults, **merged, version=version)


def config_current() -> EngineConfig:
    row = AlertConfig.objects.order_by("-version").first()
    if row is None:
        return EngineConfig()
    return config_from_values(row.values, row.version)


def _type_ok(default: Any, value: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, type(default))


def config_validate(values: dict[str, Any]) -> None:
    errors = Errors()
    defaults = EngineConfig()
    for name, value in values.items():
        if name not in _FIELDS:
            errors.add(name, "Unknown setting.")
            continue
        default = getattr(defaults, name)
        if not _type_ok(default, value):
            errors.add(name, f"Expected a {type(default).__name__}.")
        elif isinstance(value, int | float) and value < 0:
            errors.add(name, "Give a number of zero or more.")
    errors.raise_if_any()
    config = config_from_values(values)
    if config.calendar_peak_level not in LEVELS:
        errors.add("calendar_peak_level", "Levels are watch, warning or urgent.")
    for kind, days in config.calendar_peak_days.items():
        if days != [] and not (
            isinstance(days, list)
            and len(days) == 2
            and all(isinstance(d, int) and 0 <= d <= 3650 for d in days)
        ):
            errors.add("calendar_peak_days", f"Give [before, after] days or [] for {kind}.")
    for name in ("calendar_level_by_horizon", "calendar_level_by_kind", "regional_level_by_group"):
        if any(level not in LEVELS for level in getattr(config, name).values()):
            errors.add(name, "Levels are watch, warning or urgent.")
    findings = config.escalation_level_by_finding
    if set(findings) != set(EngineConfig().escalation_level_by_finding) or any(
        level not in (*LEVELS, OFF) for level in findings.values()
    ):
        errors.add("escalation_level_by_finding", "Levels are watch, warning, urgent or off.")
    if set(config.sla_hours) != set(LEVELS) or any(
        not isinstance(h, int) or h <= 0 for h in config.sla_hours.values()
    ):
        errors.add("sla_hours", "Give a positive number of hours for each level.")
    for kind, window in config.windows.items():
        if not (
            isinstance(window, list)
            and len(window) == 2
            and all(isinstance(d, int) and 0 <= d <= 3650 for d in window)
        ):
            errors.add("windows", f"Give [lead, tail] days between 0 and 3650 for {kind}.")
    if config.escalation_clock not in ("incident", "report"):
        errors.add("escalation_clock", "Give incident or report.")
    if config.network_half_life_days <= 0:
        errors.add("network_half_life_days", "The half-life must be positive.")
    if config.hazard_half_life_days <= 0:
        errors.add("hazard_half_life_days", "The half-life must be positive.")
    if set(config.hazard_weights) != {"grave", "threat", "other"}:
        errors.add("hazard_weights", "Give weights for grave, threat and other.")
    if config.warning_budget > 1:
        errors.add("warning_budget", "Give a share between 0 and 1.")
    if set(config.warning_rank_weights) != set(EngineConfig().warning_rank_weights):
        errors.add("warning_rank_weights", "Give a weight for each ranked signal.")
    if config.network_threshold <= 0:
        errors.add("network_threshold", "The threshold must be positive.")
    if config.regional:
        from amparo.earlywarning.regional import RegionalConfig

        try:
            RegionalConfig(**config.regional)
        except TypeError:
            errors.add("regional", "Unknown regional detector setting.")
    errors.raise_if_any()


def may_change_config(actor: Any) -> bool:
    return role_of(actor) in {"system", Role.COORDINATOR, Role.ADMIN}


def config_save(*, actor: Any, values: dict[str, Any], note: str = "") -> AlertConfig:
    """Save a new version: values are the overrides in force (not a patch of the last one)."""
    if not may_change_config(actor):
        raise deny()
    config_validate(values)
    with transaction.atomic():
        last = AlertConfig.objects.select_for_update().aggregate(v=Max("version"))["v"] or 0
        row = AlertConfig.objects.create(
            version=last + 1,
            values=values,
            note=note[:300],
            created_by=actor if isinstance(actor, User) else None,
        )
        audit_record(
            actor,
            "alert_config.update",
            object_type="alert_config",
            object_id=row.version,
            fields=sorted(values),
            detail={"version": row.version},
        )
    return row
