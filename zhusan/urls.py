from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from access import views as access_views
from audit import views as audit_views
from audit.apis import AuditViewSet
from casework import views as casework_views
from casework.apis import CaseViewSet
from people import views as people_views
from people.apis import NameViewSet, PersonViewSet, PlaceViewSet, RelationshipViewSet

router = DefaultRouter()
router.register("persons", PersonViewSet, basename="person")
router.register("names", NameViewSet, basename="name")
router.register("relationships", RelationshipViewSet, basename="relationship")
router.register("places", PlaceViewSet, basename="place")
router.register("cases", CaseViewSet, basename="case")
router.register("audit", AuditViewSet, basename="audit")


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", casework_views.dashboard, name="dashboard"),
    path("accounts/login/", access_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", access_views.LogoutView.as_view(), name="logout"),
    path("nda/", access_views.nda, name="nda"),
    path("accounts/preferences/", access_views.preferences, name="preferences"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("people/", people_views.person_search, name="person-search"),
    path("people/new/", people_views.person_register, name="person-register"),
    path("people/export.csv", people_views.person_export, name="person-export"),
    path("people/<int:person_id>/", people_views.person_detail, name="person-detail"),
    path("people/<int:person_id>/edit/", people_views.person_edit, name="person-edit"),
    path("people/<int:person_id>/names/new/", people_views.name_add, name="name-add"),
    path("people/<int:person_id>/documents/new/", people_views.document_add, name="document-add"),
    path("people/<int:person_id>/evidence/new/", people_views.evidence_add, name="evidence-add"),
    path("people/<int:person_id>/whereabouts/new/", people_views.presence_add, name="presence-add"),
    path("people/<int:person_id>/family/link/", people_views.relationship_add, name="relationship-add"),
    path("people/<int:person_id>/family/new/", people_views.relative_add, name="relative-add"),
    path("people/<int:person_id>/photo/", people_views.person_photo, name="person-photo"),
    path("people/<int:person_id>/photo/new/", people_views.photo_upload, name="photo-upload"),
    path("people/<int:person_id>/households/", people_views.household_add, name="household-add"),
    path("cases/<int:case_id>/transition/", casework_views.case_transition, name="case-transition"),
    path("cases/<int:case_id>/notes/new/", casework_views.case_note_add, name="case-note-add"),
    path("cases/<int:case_id>/responsibility/", casework_views.case_reassign, name="case-reassign"),
    path("cases/<int:case_id>/assignments/", casework_views.case_assign, name="case-assign"),
    path(
        "cases/<int:case_id>/assignments/<int:assignment_id>/end/", casework_views.assignment_end, name="assignment-end"
    ),
    path("audit/", audit_views.audit_log, name="audit-log"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((router.urls, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz),
]
