"""Pages (`urlpatterns`) and API routes (`api_urlpatterns`, mounted under /api/v1/) of this app."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from identification import apis, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("identification/", views.home, name="identification-home"),
    path("identification/lists/new/", views.list_create, name="identification-list-create"),
    path("identification/lists/<int:list_id>/", views.list_detail, name="identification-list-detail"),
    path("identification/missions/new/", views.mission_create, name="identification-mission-create"),
    path("identification/missions/<int:mission_id>/", views.mission_detail, name="identification-mission-detail"),
    path(
        "identification/return-requests/new/",
        views.return_request_create,
        name="identification-return-request-create",
    ),
    path("identification/person-picker/", views.person_picker, name="identification-person-picker"),
    path("identification/persons/<int:person_id>/", views.person_identification, name="identification-person"),
    path(
        "identification/persons/<int:person_id>/verifications/new/",
        views.verification_add,
        name="identification-verification-add",
    ),
    path("identification/imports/new/", views.import_upload, name="identification-import-upload"),
    path("identification/imports/<int:batch_id>/", views.import_detail, name="identification-import-detail"),
    path("identification/imports/<int:batch_id>/mapping/", views.import_mapping, name="identification-import-mapping"),
    path("identification/imports/<int:batch_id>/match/", views.import_match, name="identification-import-match"),
    path("identification/imports/<int:batch_id>/decisions/", views.import_decide, name="identification-import-decide"),
    path("identification/imports/<int:batch_id>/commit/", views.import_commit, name="identification-import-commit"),
    path("identification/imports/<int:batch_id>/discard/", views.import_discard, name="identification-import-discard"),
]

router = SimpleRouter()
router.register("identification-lists", apis.IdentificationListViewSet, basename="identification-list")
router.register("missions", apis.MissionViewSet, basename="identification-mission")
router.register("return-requests", apis.ReturnRequestViewSet, basename="identification-return-request")
router.register("citizenship-verifications", apis.VerificationViewSet, basename="identification-verification")
router.register("imports", apis.ImportViewSet, basename="identification-import")
api_urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
