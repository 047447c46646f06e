"""/api/v1/: the REST API. Every endpoint is described in the generated OpenAPI schema."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from palermo.accounts.api.views import MeView, OrganisationViewSet
from palermo.activities.api.views import ActivityViewSet
from palermo.cases.api.views import CaseViewSet
from palermo.geo.api.views import CountryViewSet
from palermo.knowledge.api.views import ClaimViewSet, ResourceViewSet
from palermo.referrals.api.views import InboxView
from palermo.standard.api import views as standard
from palermo.stats.api.views import ReleaseViewSet

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("countries", CountryViewSet, basename="country")
router.register("cases", CaseViewSet, basename="case")
router.register("releases", ReleaseViewSet, basename="release")
router.register("activities", ActivityViewSet, basename="activity")
router.register("knowledge/resources", ResourceViewSet, basename="knowledge-resource")
router.register("knowledge/claims", ClaimViewSet, basename="knowledge-claim")
router.register("standard/versions", standard.StandardVersionViewSet, basename="standard-version")
router.register("standard/fields", standard.FieldViewSet, basename="standard-field")
router.register("standard/code-lists", standard.CodeListViewSet, basename="standard-code-list")
router.register("standard/instruments", standard.InstrumentViewSet, basename="standard-instrument")
router.register(
    "standard/mapping-profiles", standard.MappingProfileViewSet, basename="standard-mapping-profile"
)

urlpatterns = [
    path("me/", MeView.as_view(), name="api-me"),
    path("referrals/inbox/", InboxView.as_view(), name="api-referrals-inbox"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "standard/record-schema/",
        standard.RecordSchemaView.as_view(),
        name="api-standard-record-schema",
    ),
    path(
        "docs/",
        # Swagger UI's page carries an inline <style>; its script is served separately.
        csp_update({"style-src": ["'unsafe-inline'"]})(
            SpectacularSwaggerSplitView.as_view(url_name="api-schema")
        ),
        name="api-docs",
    ),
    path("", include(router.urls)),
]
