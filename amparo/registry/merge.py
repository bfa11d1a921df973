"""Writes on duplicates: decide about a candidate pair; merge two defenders, undo, confirm.

A merge keeps the survivor and moves every link of the absorbed defender to it, recording each
move (row ids and the values to put back) on the DefenderMerge, so undo restores the rows as they
were. Confirming re-seals what was moved under the survivor's data key and shreds the absorbed
record's own identity. Every step is one transaction with its audit event (docs/duplicates.md).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from amparo.accounts.models import User
from amparo.audit.services import audit_record
from amparo.core import crypto
from amparo.core.fields import EncryptedField
from amparo.core.keystore import data_key_open, data_key_shred
from amparo.core.models import DataKey
from amparo.core.policy import deny
from amparo.registry.models import (
    BlindIndex,
    Case,
    CaseMember,
    Defender,
    DefenderCategory,
    DefenderMerge,
    DuplicateDecision,
)
from amparo.registry.policies import may_manage_case, may_merge_defenders, may_review_duplicates

# Links that describe the record itself rather than the person's protection work: they stay
# with the absorbed row. Its name and contact blind indexes move to the survivor on confirmation;
# its consent records are its own history (the survivor's consent governs); merges are history.
_KEEP = {
    ("registry.defendercategory", "defender"),
    ("coordination.consentrecord", "defender"),
    ("registry.defendermerge", "survivor"),
    ("registry.defendermerge", "absorbed"),
}
# Unique per defender: moved rows take the next numbers after the survivor's own.
_NUMBERED = {"risk.riskassessment": "version"}
_RISK_FIELDS = ("risk_level", "risk_assessed_on", "next_review_on")


class MergeError(Exception):
    """The merge cannot be done in the state the records are in (message for the coordinator)."""


def _who(actor: Any) -> User | None:
    return actor if isinstance(actor, User) else None


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, uuid.UUID) else value


def _label(model: type[models.Model]) -> str:
    return model._meta.label_lower


# Decisions ---------------------------------------------------------------------------------


def duplicate_decide(*, actor: Any, kind: str, first: Any, second: Any, decision: str) -> None:
    """Remember "not a duplicate" (never proposed again) or "later" for a visible pair; the
    callers fetch both records through the selectors."""
    if not may_review_duplicates(actor):
        raise deny()
    if decision not in DuplicateDecision.Decision.values or first.pk == second.pk:
        raise deny("Unknown decision.")
    if first.code > second.code:
        first, second = second, first
    with transaction.atomic():
        DuplicateDecision.objects.update_or_create(
            kind=kind,
            first_id=first.pk,
            second_id=second.pk,
            defaults={
                "decision": decision,
                "decided_by": _who(actor),
                "decided_at": timezone.now(),
            },
        )
        audit_record(
            actor,
            f"{kind}.duplicate_decide",
            object_type=kind,
            object_id=first.pk,
            detail={"pair": [first.code, second.code], "decision": decision},
        )


# Merge ---------------------------------------------------------------------------------------


def _reverse_links() -> list[tuple[type[models.Model], models.Field[Any, Any], str]]:
    """Every foreign key, one-to-one and many-to-many that points at a defender:
    (model, field, how: "fk" | "one" | "m2m")."""
    links = []
    for rel in Defender._meta.get_fields(include_hidden=True):
        if rel.is_relation and rel.auto_created and not rel.concrete:
            model, fk = rel.related_model, rel.field  # type: ignore[union-attr]
            if model._meta.auto_created:  # type: ignore[union-attr]
                continue  # a many-to-many table: moved below, through its field
            if rel.many_to_many:
                links.append((model, fk, "m2m"))
            elif (_label(model), fk.name) not in _KEEP:  # type: ignore[arg-type]
                links.append((model, fk, "one" if rel.one_to_one else "fk"))
    for m2m in Defender._meta.many_to_many:
        links.append((Defender, m2m, "m2m"))
    return links  # type: ignore[return-value]


def _through_sides(field: Any) -> tuple[str, str]:
    """For a many-to-many field: (the through column naming the defender, the other column)."""
    through = field.remote_field.through
    columns = [f for f in through._meta.concrete_fields if f.is_relation]
    mine = next(f for f in columns if f.related_model is Defender)
    other = next(f for f in columns if f is not mine)
    return mine.attname, other.attname


def _move_m2m(field: Any, survivor: Defender, absorbed: Defender, moves: list[dict]) -> None:
    through = field.remote_field.through
    mine, other = _through_sides(field)
    rows = through.objects.filter(**{mine: absorbed.pk})
    taken = set(through.objects.filter(**{mine: survivor.pk}).values_list(other, flat=True))
    both = list(rows.filter(**{f"{other}__in": taken}).values())
    moved = list(rows.exclude(**{f"{other}__in": taken}).values_list("pk", flat=True))
    if both:
        # Both were linked to the same record (victims of one incident): the absorbed link goes,
        # kept whole so that undo recreates it with the same id.
        through.objects.filter(pk__in=[r["id"] for r in both]).delete()
        rows_json = [{k: _json(v) for k, v in r.items()} for r in both]
        moves.append({"op": "m2m_dropped", "model": _label(through), "rows": rows_json})
    if moved:
        through.objects.filter(pk__in=moved).update(**{mine: survivor.pk})
        moves.append(
            {"op": "m2m", "model": _label(through), "field": mine, "pks": [_json(p) for p in moved]}
        )


def _renumber(model: Any, column: str, survivor: Defender, absorbed: Defender, moves: list) -> None:
    rows = list(model.objects.filter(defender=absorbed).order_by(column).values_list("pk", column))
    top = max(model.objects.filter(defender=survivor).values_list(column, flat=True), default=0)
    wanted = {pk: top + i for i, (pk, _number) in enumerate(rows, start=1)}
    old = {pk: number for pk, number in rows if wanted[pk] != number}
    if old:
        _set_numbers(model._default_manager, column, {pk: wanted[pk] for pk in old})
        moves.append(
            {
                "op": "numbers",
                "model": _label(model),
                "field": column,
                "old": {_json(pk): number for pk, number in old.items()},
            }
        )


def _set_numbers(manager: Any, column: str, numbers: dict[Any, int]) -> None:
    # Through numbers no row holds, so the unique constraint never trips on the way.
    for pk, number in numbers.items():
        manager.filter(pk=pk).update(**{column: number + 10_000_000})
    for pk, number in numbers.items():
        manager.filter(pk=pk).update(**{column: number})


def _move_links(survivor: Defender, absorbed: Defender, moves: list[dict]) -> None:
    for model, field, how in _reverse_links():
        if how == "m2m":
            _move_m2m(field, survivor, absorbed, moves)
            continue
        rows = model._default_manager.filter(**{field.name: absorbed})
        if how == "one" and model._default_manager.filter(**{field.name: survivor}).exists():
            continue  # the survivor has its own (safety plan, portal account): keep both apart
        if model is BlindIndex:
            rows = rows.filter(person__isnull=False)  # relatives' indexes follow the relatives
        if _label(model) in _NUMBERED:
            _renumber(model, _NUMBERED[_label(model)], survivor, absorbed, moves)
        pks = list(rows.values_list("pk", flat=True))
        if pks:
            model._default_manager.filter(pk__in=pks).update(**{field.attname: survivor.pk})
            moves.append(
                {
                    "op": "fk",
                    "model": _label(model),
                    "field": field.attname,
                    "pks": [_json(p) for p in pks],
                }
            )


def _move_categories(survivor: Defender, absorbed: Defender, moves: list[dict]) -> None:
    have = set(survivor.category_rows.values_list("code", flat=True))
    new = [
        DefenderCategory(defender=survivor, code=code)
        for code in sorted(set(absorbed.category_rows.values_list("code", flat=True)) - have)
    ]
    if new:
        created = DefenderCategory.objects.bulk_create(new)
        moves.append(
            {"op": "created", "model": "registry.defendercategory", "pks": [c.pk for c in created]}
        )


def _case_links() -> list[tuple[type[models.Model], Any]]:
    skip = {Defender, CaseMember}
    return [
        (rel.related_model, rel.field)  # type: ignore[misc,union-attr]
        for rel in Case._meta.get_fields(include_hidden=True)
        if rel.is_relation and rel.auto_created and not rel.concrete and rel.one_to_many
        if rel.related_model not in skip
    ]


def _move_case(survivor: Defender, absorbed: Defender, moves: list[dict]) -> None:
    """An individual case of the absorbed defender joins the survivor's: its records, its team;
    and the survivor's case becomes restricted if the absorbed one was, so that nothing becomes
    visible to more people than before. A collective case keeps what it governs."""
    old_case, new_case = absorbed.case, survivor.case
    if old_case.pk == new_case.pk or Defender.objects.filter(case=old_case).count() > 1:
        return
    for model, field in _case_links():
        pks = list(
            model._default_manager.filter(**{field.attname: old_case.pk}).values_list(
                "pk", flat=True
            )
        )
        if pks:
            model._default_manager.filter(pk__in=pks).update(**{field.attname: new_case.pk})
            moves.append(
                {
                    "op": "fk",
                    "model": _label(model),
                    "field": field.attname,
                    "pks": [_json(p) for p in pks],
                    "from": str(old_case.pk),
                }
            )
    on_team = set(new_case.members.values_list("user_id", flat=True))
    joining = [
        CaseMember(case=new_case, user_id=user_id)
        for user_id in old_case.members.values_list("user_id", flat=True)
        if user_id not in on_team
    ]
    if joining:
        created = CaseMember.objects.bulk_create(joining)
        moves.append(
            {"op": "created", "model": "registry.casemember", "pks": [m.pk for m in created]}
        )
    if old_case.restricted and not new_case.restricted:
        Case.objects.filter(pk=new_case.pk).update(restricted=True)
        moves.append({"op": "restricted", "case": str(new_case.pk)})


def _move_risk(survivor: Defender, absorbed: Defender, moves: list[dict]) -> None:
    """The derived risk level follows the latest assessment, whichever record it was on."""
    if absorbed.risk_assessed_on and (
        survivor.risk_assessed_on is None or absorbed.risk_assessed_on > survivor.risk_assessed_on
    ):
        old = {name: _json_date(getattr(survivor, name)) for name in _RISK_FIELDS}
        Defender.objects.filter(pk=survivor.pk).update(
            **{name: getattr(absorbed, name) for name in _RISK_FIELDS}
        )
        moves.append({"op": "risk", "old": old})


def _json_date(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def defender_merge(*, actor: Any, survivor: Defender, absorbed: Defender) -> DefenderMerge:
    """Merge absorbed into survivor; reversible with defender_merge_undo until confirmed."""
    if not may_merge_defenders(actor, survivor, absorbed):
        raise deny()
    with transaction.atomic():
        # Re-read under lock: a concurrent merge of either record must wait and then fail.
        locked = {
            d.pk: d
            for d in Defender.objects.select_for_update()
            .select_related("case")
            .filter(pk__in=[survivor.pk, absorbed.pk])
        }
        survivor, absorbed = locked[survivor.pk], locked[absorbed.pk]
        if survivor.merged_into_id or absorbed.merged_into_id:
            raise MergeError("One of the two records was merged already.")
        if DefenderMerge.objects.filter(
            Q(survivor__in=[survivor, absorbed]) | Q(absorbed__in=[survivor, absorbed]),
            status=DefenderMerge.Status.PENDING,
        ).exists():
            raise MergeError("Confirm or undo the pending merge of one of these records first.")
        moves: list[dict] = []
        _move_links(survivor, absorbed, moves)
        _move_categories(survivor, absorbed, moves)
        _move_case(survivor, absorbed, moves)
        _move_risk(survivor, absorbed, moves)
        Defender.objects.filter(pk=absorbed.pk).update(merged_into=survivor)
        absorbed.merged_into = survivor
        merge = DefenderMerge.objects.create(
            survivor=survivor,
            absorbed=absorbed,
            moves=moves,
            merged_by=_who(actor),
            merged_at=timezone.now(),
        )
        audit_record(
            actor,
            "defender.merge",
            object_type="defender",
            object_id=survivor.pk,
            fields=["links"],
            detail={
                "merge": str(merge.pk),
                "survivor": survivor.code,
                "absorbed": absorbed.code,
                "moved": moved_counts(moves),
            },
        )
    return merge


def moved_counts(moves: list[dict]) -> dict[str, int]:
    """How many rows of each kind a merge moved or created (for the audit event and the page)."""
    counts: dict[str, int] = {}
    for move in moves:
        if move["op"] in {"fk", "m2m", "created", "m2m_dropped"}:
            key = move["model"] if move["op"] != "m2m_dropped" else f"{move['model']} (dropped)"
            counts[key] = counts.get(key, 0) + len(move.get("pks") or move.get("rows") or [])
    return counts


def _undo_move(move: dict, merge: DefenderMerge) -> None:
    op = move["op"]
    if op == "risk":
        Defender.objects.filter(pk=merge.survivor_id).update(**move["old"])
        return
    if op == "restricted":
        Case.objects.filter(pk=move["case"]).update(restricted=False)
        return
    model = apps.get_model(move["model"])
    manager = model._default_manager
    if op == "fk":
        back = move.get("from") or str(merge.absorbed_id)
        manager.filter(pk__in=move["pks"]).update(**{move["field"]: back})
    elif op == "m2m":
        manager.filter(pk__in=move["pks"]).update(**{move["field"]: str(merge.absorbed_id)})
    elif op == "m2m_dropped":
        manager.bulk_create([model(**row) for row in move["rows"]])
    elif op == "created":
        manager.filter(pk__in=move["pks"]).delete()
    elif op == "numbers":
        _set_numbers(manager, move["field"], move["old"])


def _pending(merge: DefenderMerge) -> DefenderMerge:
    locked = DefenderMerge.objects.select_for_update().filter(pk=merge.pk).first()
    if locked is None or locked.status != DefenderMerge.Status.PENDING:
        raise MergeError("This merge is no longer pending.")
    return locked


def may_decide_merge(actor: Any, merge: DefenderMerge) -> bool:
    return may_review_duplicates(actor) and all(
        may_manage_case(actor, d.case) for d in (merge.survivor, merge.absorbed)
    )


def defender_merge_undo(*, actor: Any, merge: DefenderMerge) -> None:
    """Put every moved row back where it was; the absorbed defender is a record again."""
    if not may_decide_merge(actor, merge):
        raise deny()
    with transaction.atomic():
        merge = _pending(merge)
        for move in reversed(merge.moves):
            _undo_move(move, merge)
        Defender.objects.filter(pk=merge.absorbed_id).update(merged_into=None)
        _decided(merge, actor, DefenderMerge.Status.UNDONE)
        audit_record(
            actor,
            "defender.merge_undo",
            object_type="defender",
            object_id=merge.survivor_id,
            fields=["links"],
            detail={
                "merge": str(merge.pk),
                "survivor": merge.survivor.code,
                "absorbed": merge.absorbed.code,
            },
        )


def _decided(merge: DefenderMerge, actor: Any, status: str) -> None:
    merge.status, merge.decided_by, merge.decided_at = status, _who(actor), timezone.now()
    merge.save(update_fields=["status", "decided_by", "decided_at"])


# Confirm -------------------------------------------------------------------------------------


def _sealed_models() -> list[tuple[type[models.Model], str, list[EncryptedField]]]:
    """(model, key field, the encrypted fields sealed under it) for every model."""
    found = []
    for model in apps.get_models():
        by_key: dict[str, list[EncryptedField]] = {}
        for f in model._meta.concrete_fields:
            if isinstance(f, EncryptedField):
                by_key.setdefault(f.key_field, []).append(f)
        found += [(model, key, fields) for key, fields in by_key.items()]
    return found


def _reseal_rows(old: DataKey, new: DataKey, *, skip: Any) -> int:
    """Re-encrypt every field sealed under old (but the absorbed row itself) under new."""
    count = 0
    for model, key_field, fields in _sealed_models():
        key_column = f"{key_field}_id"
        rows = model._default_manager.filter(**{key_column: old.pk})
        if model is Defender:
            rows = rows.exclude(pk=skip)
        for row in list(rows):
            values = {f.attname: getattr(row, f.attname) for f in fields}
            setattr(row, key_field, new)
            sealed = {
                name: (None if value is None else f.encrypt(row, value))
                for f, (name, value) in zip(fields, values.items(), strict=True)
            }
            model._default_manager.filter(pk=row.pk).update(**{key_column: new.pk, **sealed})
            count += 1
    return count


def _stage_attachments(old: DataKey, new: DataKey) -> list[tuple[Path, Path]]:
    """Re-seal the evidence files under the new key into staging files beside them; they
    replace the originals once the transaction commits (until then the originals stay valid)."""
    from amparo.incidents.models import Attachment
    from amparo.incidents.services import attachment_files

    staged = []
    try:
        for attachment in Attachment.objects.filter(data_key=old):
            # The original and its shared copy; the associated data names the key, so the
            # old files are read before the key changes and sealed with the new data after.
            contents = [
                crypto.unseal(data_key_open(old), path.read_bytes(), aad)
                for path, aad in attachment_files(attachment)
            ]
            attachment.data_key = new
            for (path, aad), content in zip(attachment_files(attachment), contents, strict=True):
                staging = path.with_name(path.name + ".merge")
                staging.write_bytes(crypto.seal(data_key_open(new), content, aad))
                staged.append((staging, path))
    except Exception:
        _discard(staged)
        raise
    return staged


def _discard(staged: list[tuple[Path, Path]]) -> None:
    for staging, _path in staged:
        staging.unlink(missing_ok=True)


def _commit_files(staged: list[tuple[Path, Path]]) -> Callable[[], None]:
    def replace() -> None:
        for staging, path in staged:
            os.replace(staging, path)

    return replace


def defender_merge_confirm(*, actor: Any, merge: DefenderMerge) -> None:
    """Make the merge final: what was moved is re-sealed under the survivor's data key, the
    absorbed defender's data key is destroyed (its own name, alias, locality and contacts are
    gone for good), and its name and contact blind indexes now point at the survivor, so a new
    registration under the old spelling warns about the survivor. Its code, external id and
    import digest stay, so links and re-imports still find the survivor."""
    if not may_decide_merge(actor, merge):
        raise deny()
    staged: list[tuple[Path, Path]] = []
    try:
        with transaction.atomic():
            merge = _pending(merge)
            survivor = Defender.objects.select_related("data_key").get(pk=merge.survivor_id)
            absorbed = Defender.objects.select_related("data_key").get(pk=merge.absorbed_id)
            old, new = absorbed.data_key, survivor.data_key
            staged = _stage_attachments(old, new)
            resealed = _reseal_rows(old, new, skip=absorbed.pk)
            BlindIndex.objects.filter(defender=absorbed, person__isnull=True).update(
                defender=survivor
            )
            data_key_shred(old)
            Defender.objects.filter(pk=absorbed.pk).update(shredded_at=timezone.now())
            _decided(merge, actor, DefenderMerge.Status.CONFIRMED)
            audit_record(
                actor,
                "defender.merge_confirm",
                object_type="defender",
                object_id=merge.survivor_id,
                fields=["data_key"],
                detail={
                    "merge": str(merge.pk),
                    "survivor": survivor.code,
                    "absorbed": absorbed.code,
                    "resealed": resealed,
                    "files": len(staged),
                },
            )
            transaction.on_commit(_commit_files(staged))
    except Exception:
        _discard(staged)
        raise


def merged_survivor(defender: Defender) -> Defender:
    """The record that now stands for this one (itself unless merged), following merges."""
    seen = {defender.pk}
    while defender.merged_into_id:
        defender = Defender.objects.select_related("case", "data_key").get(
            pk=defender.merged_into_id
        )
        if defender.pk in seen:
            break
        seen.add(defender.pk)
    return defender
