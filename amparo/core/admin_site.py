"""The admin site: configuration (entities, users) for the admin role, behind the second factor.

It registers no case content: defenders, incidents and the audit log are not administered here.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_otp.admin import OTPAdminSite


class AmparoAdminSite(OTPAdminSite):
    site_header = "Amparo configuration"
    site_title = "Amparo configuration"
    index_title = "Configuration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(super().has_permission(request) and getattr(user, "role", None) == "admin")


admin_site = AmparoAdminSite(name="admin")
