"""Per-entity review intervals and procedure deadlines, configured by the admin role."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from amparo.accounts.admin import ConfigurationAdmin
from amparo.core.admin_site import admin_site
from amparo.risk.models import ReviewPolicy
from amparo.risk.services import REVIEW_POLICY_FIELDS, review_policy_set


@admin.register(ReviewPolicy, site=admin_site)
class ReviewPolicyAdmin(ConfigurationAdmin):
    list_display = [
        "entity",
        "extreme_days",
        "high_days",
        "medium_days",
        "low_days",
        "urgent_decide_hours",
        "urgent_in_place_hours",
        "ordinary_study_days",
    ]
    fields = ["entity", *REVIEW_POLICY_FIELDS]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["entity"] if obj else []

    def save_model(self, request: HttpRequest, obj: ReviewPolicy, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in REVIEW_POLICY_FIELDS}
        saved = review_policy_set(actor=request.user, entity=obj.entity, **values)
        obj.pk = saved.pk
