"""Pages (`urlpatterns`) and API routes (`api_urlpatterns`, mounted under /api/v1/) of this app."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from operations import apis, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("operations/", views.operation_list, name="operations-list"),
    path("operations/new/", views.operation_create, name="operations-create"),
    path("operations/<int:operation_id>/", views.operation_detail, name="operations-detail"),
    path("operations/<int:operation_id>/edit/", views.operation_edit, name="operations-edit"),
    path("operations/<int:operation_id>/waves/new/", views.wave_create, name="operations-wave-create"),
    path("operations/waves/<int:wave_id>/", views.wave_detail, name="operations-wave-detail"),
    path("operations/waves/<int:wave_id>/edit/", views.wave_edit, name="operations-wave-edit"),
    path("operations/waves/<int:wave_id>/add/", views.wave_add, name="operations-wave-add"),
    path(
        "operations/waves/<int:wave_id>/members/<int:member_id>/remove/",
        views.wave_remove,
        name="operations-wave-remove",
    ),
    path("operations/waves/<int:wave_id>/manifest.pdf", views.wave_manifest_pdf, name="operations-wave-manifest"),
    path("operations/waves/<int:wave_id>/execute/", views.wave_execute, name="operations-wave-execute"),
    path("operations/waves/<int:wave_id>/cancel/", views.wave_cancel, name="operations-wave-cancel"),
]

router = SimpleRouter()
router.register("operations", apis.OperationViewSet, basename="operation")
router.register("waves", apis.WaveViewSet, basename="wave")
api_urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
