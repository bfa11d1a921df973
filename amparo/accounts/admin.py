"""Configuration of entities and users; every save goes through the audited services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from amparo.accounts.models import Entity, User
from amparo.accounts.services import (
    entity_create,
    entity_update,
    totp_device_reset,
    user_deactivate,
    user_update,
)
from amparo.core.admin_site import admin_site


class ConfigurationAdmin(admin.ModelAdmin):
    """Permissions come from the admin role (the site already requires it), not model perms."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return admin_site.has_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return admin_site.has_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return admin_site.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EntityForm(forms.ModelForm):
    class Meta:
        model = Entity
        fields = ["slug", "name", "kind", "country", "training_status", "trained_until"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Left out of a submission, the training status stays what it was.
        if "training_status" in self.fields:
            self.fields["training_status"].required = False


@admin.register(Entity, site=admin_site)
class EntityAdmin(ConfigurationAdmin):
    form = EntityForm
    list_display = ["name", "slug", "kind", "country", "training_status", "trained_until"]
    search_fields = ["name", "slug"]
    fields = ["slug", "name", "kind", "country", "training_status", "trained_until"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["slug"] if obj else []

    def save_model(self, request: HttpRequest, obj: Entity, form: Any, change: bool) -> None:
        if change:
            current = Entity.objects.get(pk=obj.pk)
            entity_update(
                actor=request.user,
                entity=current,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                country=form.cleaned_data["country"],
                training_status=form.cleaned_data.get("training_status") or current.training_status,
                trained_until=form.cleaned_data.get("trained_until"),
            )
        else:
            created = entity_create(
                actor=request.user, slug=obj.slug, name=obj.name, kind=obj.kind, country=obj.country
            )
            entity_update(
                actor=request.user,
                entity=created,
                name=created.name,
                kind=created.kind,
                country=created.country,
                training_status=obj.training_status or "none",
                trained_until=obj.trained_until,
            )
            obj.pk = created.pk


class UserForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["username", "role", "entity", "is_active"]


@admin.register(User, site=admin_site)
class UserAdmin(ConfigurationAdmin):
    form = UserForm
    list_display = ["username", "role", "entity", "is_active", "last_login"]
    list_filter = ["role", "entity", "is_active"]
    search_fields = ["username"]
    actions = ["reset_second_factor", "deactivate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["username"]

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        data = form.cleaned_data
        current = User.objects.get(pk=obj.pk)
        user_update(
            actor=request.user,
            user=current,
            role=data["role"],
            entity=data["entity"],
            is_active=data["is_active"],
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Accounts are created with `amparo createuser`, which shows the initial secret once on
        # the operator's terminal instead of in a page or a message cookie.
        return False

    @admin.action(description="Reset the second factor (enrol again at next login)")
    def reset_second_factor(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            totp_device_reset(actor=request.user, user=user)

    @admin.action(
        description=gettext_lazy("Deactivate (ends their sessions and revokes their API tokens)")
    )
    def deactivate(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset.filter(is_active=True):
            user_deactivate(actor=request.user, user=user)
