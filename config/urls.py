"""URL wiring: pages per domain, the API under /api/v1/, the configuration-only admin."""

from django.conf import settings
from django.urls import include, path

from amparo.accounts import views as accounts_views
from amparo.core import views as core_views
from amparo.core.admin_site import admin_site
from config.api import api

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/", include("amparo.accounts.urls")),
    # Django's set_language under its usual path and name, storing a signed-in user's choice too.
    path("i18n/setlang/", accounts_views.language_view, name="set_language"),
    path("defenders/", include("amparo.registry.urls")),
    path("incidents/", include("amparo.incidents.urls")),
    path("investigations/", include("amparo.investigations.urls")),
    path("reports/", include("amparo.reports.urls")),
    path("measures/", include("amparo.measures.urls")),
    path("risk/", include("amparo.risk.urls")),
    path("audit/", include("amparo.audit.urls")),
    path("work/", include("amparo.coordination.urls")),
    path("alerts/", include("amparo.earlywarning.urls")),
    path("communications/", include("amparo.communications.urls")),
    path("portal/", include("amparo.portal.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin_site.urls),
]

if settings.AMPARO_BENCH:
    from amparo.bench.views import bare_view

    urlpatterns.append(path("bench/bare", bare_view, name="bench_bare"))
