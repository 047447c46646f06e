from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include(("palermo.core.urls", "core"))),
    path("", include("palermo.accounts.urls")),
    path("audit/", include("palermo.audit.urls")),
    path("standard/", include("palermo.standard.urls")),
    path("cases/", include("palermo.cases.urls")),
    path("imports/", include("palermo.ingest.urls")),
    path("statistics/", include("palermo.stats.urls")),
    path("activities/", include("palermo.activities.urls")),
    path("knowledge/", include("palermo.knowledge.urls")),
    path("monitoring/", include("palermo.monitoring.urls")),
    path("referrals/", include("palermo.referrals.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include("palermo.api_urls")),
    path("django-admin/", admin.site.urls),
]

handler400 = "palermo.core.views.bad_request"
handler403 = "palermo.core.views.permission_denied"
handler404 = "palermo.core.views.page_not_found"
handler500 = "palermo.core.views.server_error"
