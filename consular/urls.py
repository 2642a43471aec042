"""Pages (`urlpatterns`) and API routes (`api_urlpatterns`, mounted under /api/v1/) of this app."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from consular import apis, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("consular/", views.request_list, name="consular-requests"),
    path("consular/new/", views.request_new, name="consular-request-new"),
    path("consular/<int:request_id>/", views.request_detail, name="consular-request-detail"),
    path("consular/<int:request_id>/members/new/", views.member_add, name="consular-member-add"),
    path("consular/<int:request_id>/documents/new/", views.restoration_add, name="consular-restoration-add"),
    path("consular/<int:request_id>/documents/issue/", views.restoration_issue, name="consular-restoration-issue"),
    path("consular/<int:request_id>/travel/", views.travel_arrange, name="consular-travel"),
    path("consular/<int:request_id>/arrival/", views.arrival_record, name="consular-arrival"),
    path("consular/<int:request_id>/withdraw/", views.request_withdraw, name="consular-withdraw"),
]

router = SimpleRouter()
router.register("self-returns", apis.SelfReturnViewSet, basename="self-returns")
api_urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
