"""Pages (`urlpatterns`) and API routes (`api_urlpatterns`, mounted under /api/v1/) of this app."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from consent import apis, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("consent/people/<int:person_id>/", views.consent_person, name="consent-person"),
    path("consent/people/<int:person_id>/record/", views.consent_record_add, name="consent-record-add"),
    path("consent/people/<int:person_id>/family/", views.consent_family, name="consent-family"),
    path("consent/people/<int:person_id>/revisit/", views.consent_revisit, name="consent-revisit"),
    path("consent/consents/<int:consent_id>/receipt.pdf", views.receipt, name="consent-receipt"),
    path("consent/consents/<int:consent_id>/scan/", views.scan, name="consent-scan"),
    path("consent/consents/<int:consent_id>/scan/new/", views.scan_upload, name="consent-scan-upload"),
    path("consent/best-interests/", views.panel, name="consent-panel"),
    path("consent/best-interests/people/<int:person_id>/decide/", views.panel_decide, name="consent-panel-decide"),
    path(
        "consent/best-interests-decisions/<int:decision_id>/",
        views.panel_decision,
        name="consent-panel-decision",
    ),
]

router = SimpleRouter()
router.register("consents", apis.ConsentRecordViewSet, basename="consent")
router.register("best-interests-decisions", apis.BestInterestsDecisionViewSet, basename="best-interests-decision")
api_urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
