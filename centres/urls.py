"""Pages (`urlpatterns`) and API routes (`api_urlpatterns`, mounted under /api/v1/) of this app."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from centres import apis, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("centres/", views.centre_list, name="centres-list"),
    path("centres/<int:centre_id>/", views.centre_detail, name="centres-detail"),
    path("centres/<int:centre_id>/rooms/", views.centre_rooms, name="centres-rooms"),
    path("centres/<int:centre_id>/admit/", views.admit, name="centres-admit"),
    path("centres/<int:centre_id>/admit-group/", views.admit_group, name="centres-admit-group"),
    path("centres/<int:centre_id>/groups/", views.groups, name="centres-groups"),
    path("centres/<int:centre_id>/programme/", views.programme, name="centres-programme"),
    path("centres/stays/<int:stay_id>/", views.stay_detail, name="centres-stay-detail"),
    path("centres/stays/<int:stay_id>/discharge/", views.stay_discharge, name="centres-stay-discharge"),
    path("centres/stays/<int:stay_id>/plan/", views.stay_plan, name="centres-stay-plan"),
    path("centres/groups/<int:group_id>/", views.group_detail, name="centres-group-detail"),
    path("centres/sessions/<int:session_id>/attendance/", views.attendance, name="centres-attendance"),
]

router = SimpleRouter()
router.register("centres", apis.CentreViewSet, basename="centre")
router.register("stays", apis.StayViewSet, basename="stay")
router.register("centre-groups", apis.GroupViewSet, basename="centre-group")
router.register("centre-sessions", apis.SessionViewSet, basename="centre-session")
api_urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
