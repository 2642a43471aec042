"""Pages (`urlpatterns`) and API routes (`api_urlpatterns`, mounted under /api/v1/) of the reports."""

from django.urls import URLPattern, URLResolver, path

from reports import apis, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/programme-summary/", views.summary, name="programme-summary"),
]
api_urlpatterns: list[URLPattern | URLResolver] = [
    path("reports/programme-summary/", apis.ProgrammeSummaryView.as_view(), name="programme-summary"),
]
