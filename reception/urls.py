"""Pages (`urlpatterns`) and API routes (`api_urlpatterns`, mounted under /api/v1/) of this app."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from reception import apis, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reception/arrivals/", views.arrivals, name="reception-arrivals"),
    path("reception/people/<int:person_id>/", views.person, name="reception-person"),
    path("reception/people/<int:person_id>/legal/", views.legal_add, name="reception-legal-add"),
    path("reception/people/<int:person_id>/quarantine/", views.quarantine_add, name="reception-quarantine-add"),
    path("reception/people/<int:person_id>/tests/", views.test_add, name="reception-test-add"),
    path("reception/people/<int:person_id>/vaccinations/", views.vaccination_add, name="reception-vaccination-add"),
    path("reception/people/<int:person_id>/treatments/", views.treatment_add, name="reception-treatment-add"),
    path("reception/people/<int:person_id>/growth/", views.growth_add, name="reception-growth-add"),
    path("reception/people/<int:person_id>/growth-chart.svg", views.growth_chart, name="reception-growth-chart"),
]

router = SimpleRouter()
router.register("arrivals", apis.ArrivalViewSet, basename="reception-arrival")
router.register("legal-assessments", apis.LegalAssessmentViewSet, basename="reception-legal-assessment")
router.register("quarantines", apis.QuarantineViewSet, basename="reception-quarantine")
router.register("medical-tests", apis.MedicalTestViewSet, basename="reception-medical-test")
router.register("vaccinations", apis.VaccinationViewSet, basename="reception-vaccination")
router.register("treatments", apis.TreatmentViewSet, basename="reception-treatment")
router.register("growth-measurements", apis.GrowthMeasurementViewSet, basename="reception-growth-measurement")
api_urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
