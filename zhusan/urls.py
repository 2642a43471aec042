from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

import administration.urls
import centres.urls
import consent.urls
import consular.urls
import identification.urls
import operations.urls
import reception.urls
import reports.urls
from access import views as access_views
from audit import views as audit_views
from audit.apis import AuditViewSet
from casework import views as casework_views
from casework.apis import ApprovalViewSet, BreakGlassViewSet, CaseViewSet, NotificationViewSet
from core import views as core_views
from people import views as people_views
from people.apis import (
    DocumentNumberReviewViewSet,
    NameViewSet,
    PersonViewSet,
    PlaceViewSet,
    RelationshipViewSet,
)
from retention import views as retention_views

router = DefaultRouter()
router.register("persons", PersonViewSet, basename="person")
router.register("names", NameViewSet, basename="name")
router.register("relationships", RelationshipViewSet, basename="relationship")
router.register("places", PlaceViewSet, basename="place")
router.register("document-reviews", DocumentNumberReviewViewSet, basename="document-review")
router.register("cases", CaseViewSet, basename="case")
router.register("audit", AuditViewSet, basename="audit")
router.register("approvals", ApprovalViewSet, basename="approval")
router.register("break-glass", BreakGlassViewSet, basename="break-glass")
router.register("notifications", NotificationViewSet, basename="notification")

# The API is reached by personal tokens as well as sessions: DRF's authentication and permission classes
# decide there (deny by default: HasAcceptedNda needs a signed-in user), not the page login redirect.
# Each programme app mounts its own API routes beside the registry's.
PROGRAMME_APPS = (
    identification.urls,
    consent.urls,
    operations.urls,
    reception.urls,
    centres.urls,
    consular.urls,
    reports.urls,
    administration.urls,
)
api_patterns = router.urls + [p for app in PROGRAMME_APPS for p in app.api_urlpatterns]
for pattern in api_patterns:
    pattern.callback.login_required = False

handler500 = "core.views.server_error"
handler404 = "core.views.not_found"


urlpatterns = [
    path("", casework_views.dashboard, name="dashboard"),
    path("accounts/login/", access_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", access_views.LogoutView.as_view(), name="logout"),
    path("nda/", access_views.nda, name="nda"),
    path("accounts/preferences/", access_views.preferences, name="preferences"),
    path("accounts/api-tokens/", access_views.api_tokens, name="api-tokens"),
    path("accounts/api-tokens/<int:token_id>/revoke/", access_views.api_token_revoke_own, name="api-token-revoke"),
    path("accounts/second-factor/", access_views.second_factor_verify, name="second-factor-verify"),
    path("accounts/second-factor/setup/", access_views.second_factor_setup, name="second-factor-setup"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("people/", people_views.person_search, name="person-search"),
    path("people/new/", people_views.person_register, name="person-register"),
    path("people/export.csv", people_views.person_export, name="person-export"),
    path("people/document-reviews/", people_views.document_number_reviews, name="document-number-reviews"),
    path(
        "people/document-reviews/<int:review_id>/resolve/",
        people_views.document_number_review_resolve,
        name="document-number-review-resolve",
    ),
    path("people/<int:person_id>/", people_views.person_detail, name="person-detail"),
    path("people/<int:person_id>/edit/", people_views.person_edit, name="person-edit"),
    path("people/<int:person_id>/names/new/", people_views.name_add, name="name-add"),
    path("people/<int:person_id>/documents/new/", people_views.document_add, name="document-add"),
    path(
        "people/<int:person_id>/documents/<int:document_id>/scan/",
        people_views.document_scan,
        name="document-scan",
    ),
    path(
        "people/<int:person_id>/documents/<int:document_id>/scan/new/",
        people_views.document_scan_upload,
        name="document-scan-upload",
    ),
    path("people/<int:person_id>/evidence/new/", people_views.evidence_add, name="evidence-add"),
    path("people/<int:person_id>/whereabouts/new/", people_views.presence_add, name="presence-add"),
    path("people/<int:person_id>/family/link/", people_views.relationship_add, name="relationship-add"),
    path("people/<int:person_id>/family/new/", people_views.relative_add, name="relative-add"),
    path("people/<int:person_id>/photo/", people_views.person_photo, name="person-photo"),
    path(
        "people/<int:person_id>/everything-held.json",
        retention_views.person_subject_export,
        name="person-subject-export",
    ),
    path("people/<int:person_id>/photo/new/", people_views.photo_upload, name="photo-upload"),
    path("people/<int:person_id>/households/", people_views.household_add, name="household-add"),
    path("cases/<int:case_id>/transition/", casework_views.case_transition, name="case-transition"),
    path("cases/<int:case_id>/notes/new/", casework_views.case_note_add, name="case-note-add"),
    path("cases/<int:case_id>/responsibility/", casework_views.case_reassign, name="case-reassign"),
    path("cases/<int:case_id>/assignments/", casework_views.case_assign, name="case-assign"),
    path(
        "cases/<int:case_id>/assignments/<int:assignment_id>/end/", casework_views.assignment_end, name="assignment-end"
    ),
    path("cases/<int:case_id>/notes/<int:note_id>/release/", casework_views.genetic_release, name="genetic-release"),
    path("approvals/<int:approval_id>/", casework_views.approval_decide, name="approval-decide"),
    path("emergency-access/", casework_views.break_glass, name="break-glass"),
    path("notifications/", casework_views.notifications, name="notifications"),
    path("audit/", audit_views.audit_log, name="audit-log"),
    *[p for app in PROGRAMME_APPS for p in app.urlpatterns],
    path("api/v1/", include((api_patterns, "api"), namespace="api")),
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
    path("api/docs/", login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("healthz", core_views.healthz),
]
