"""Pages of the administration (`urlpatterns`); it has no API routes."""

from django.urls import URLPattern, URLResolver, path

from administration import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("administration/", views.home, name="administration-home"),
    path("administration/staff/", views.staff_list, name="administration-staff"),
    path("administration/staff/new/", views.staff_new, name="administration-staff-new"),
    path("administration/staff/<int:staff_id>/", views.staff_detail, name="administration-staff-detail"),
    path("administration/staff/<int:staff_id>/roles/", views.staff_roles, name="administration-staff-roles"),
    path("administration/staff/<int:staff_id>/agency/", views.staff_agency, name="administration-staff-agency"),
    path("administration/staff/<int:staff_id>/active/", views.staff_active, name="administration-staff-active"),
    path(
        "administration/staff/<int:staff_id>/second-factor-reset/",
        views.staff_second_factor_reset,
        name="administration-staff-reset",
    ),
    path("administration/staff/<int:staff_id>/unlock/", views.staff_unlock, name="administration-staff-unlock"),
    path(
        "administration/staff/<int:staff_id>/tokens/<int:token_id>/revoke/",
        views.staff_token_revoke,
        name="administration-token-revoke",
    ),
    path("administration/requests/", views.requests_pending, name="administration-requests"),
    path("administration/requests/<int:request_id>/", views.request_decide, name="administration-request-decide"),
    path("administration/agencies/", views.agencies, name="administration-agencies"),
    path("administration/teams/", views.teams, name="administration-teams"),
    path("administration/places/", views.places, name="administration-places"),
    path("administration/agreements/", views.nda_versions, name="administration-nda"),
    path("administration/reference/<slug:slug>/", views.reference_list, name="administration-reference"),
    path("accounts/enrol/<str:key>/", views.enrol, name="enrol"),
]
api_urlpatterns: list[URLPattern | URLResolver] = []
