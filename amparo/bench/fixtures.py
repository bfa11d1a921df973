"""The bench's actors: an entity, and a case officer with a large caseload who is signed in
(a session with a verified second factor) and holds an API token."""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.accounts.models import Entity, Role, SystemActor, User
from amparo.accounts.services import api_token_create, entity_create, user_create
from amparo.registry.models import Case, CaseMember, Defender

ENTITY_SLUG = "bench"
OFFICER = "bench-officer"
CASELOAD = 2_000


def prepare() -> dict[str, Any]:
    """The entity the import writes into, and the officer (no cases yet)."""
    actor = SystemActor("cli:bench")
    entity = Entity.objects.filter(slug=ENTITY_SLUG).first() or entity_create(
        actor=actor, slug=ENTITY_SLUG, name="Bench protection desk"
    )
    if not User.objects.filter(username=OFFICER).exists():
        user_create(
            actor=actor,
            username=OFFICER,
            role=Role.CASE_OFFICER,
            password=secrets.token_urlsafe(24),
            entity=entity,
        )
    return {"entity": entity.slug, "officer": OFFICER}


def web_setup(*, caseload: int = CASELOAD) -> dict[str, Any]:
    """Put the officer on the team of up to `caseload` cases, sign them in and give them a
    token; return what the load client needs (cookie, token, a code and a name to ask for)."""
    officer = User.objects.get(username=OFFICER)
    cases = list(
        Case.objects.exclude(members__user=officer).order_by("code").values_list("pk", flat=True)
    )[: max(0, caseload - officer.case_memberships.count())]
    CaseMember.objects.bulk_create([CaseMember(case_id=pk, user=officer) for pk in cases])
    defender = (
        Defender.objects.filter(case__members__user=officer, shredded_at__isnull=True)
        .select_related("data_key")
        .order_by("code")
        .first()
    )
    if defender is None:
        raise RuntimeError("the officer's caseload holds no defender")
    _, token = api_token_create(actor=officer, name="bench", expires_in_days=1)
    return {
        "session": _verified_session(officer),
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "token": token,
        "caseload": officer.case_memberships.count(),
        "defender_code": defender.code,
        "defender_name": defender.name,
        "country": defender.country,
    }


def _verified_session(user: User) -> str:
    """What a sign-in with password and TOTP leaves in the session store."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    session = SessionStore()
    now = time.time()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session["auth_at"] = now
    session["last_seen"] = now
    session.create()
    assert session.session_key is not None
    return session.session_key
