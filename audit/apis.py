from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from audit.models import AuditAction, AuditEntry
from audit.selectors import audit_entries, changed_fields
from core.api import numbered_page
from core.errors import MAX_ID


class AuditEntrySerializer(serializers.ModelSerializer):
    # Field names only: the values belong to the case, which auditors do not see.
    changes = serializers.SerializerMethodField()

    def get_changes(self, entry: AuditEntry) -> list[str]:
        return changed_fields(entry)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor_username",
            "agency_name",
            "action",
            "object_type",
            "object_id",
            "person_id",
            "changes",
            "reason",
            "path",
        ]


class AuditFilterSerializer(serializers.Serializer):
    username = serializers.CharField(required=False, allow_blank=True, max_length=150, default="")
    person_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, allow_null=True, default=None)
    action = serializers.ChoiceField(choices=["", *AuditAction.values], required=False, default="")
    date_from = serializers.DateField(required=False, allow_null=True, default=None)
    date_to = serializers.DateField(required=False, allow_null=True, default=None)


class AuditViewSet(viewsets.ViewSet):
    """The audit log, for auditors only. Read-only: no endpoint changes or deletes an entry."""

    @extend_schema(
        parameters=[AuditFilterSerializer, OpenApiParameter("page", int)],
        responses=numbered_page("PaginatedAuditEntryList", AuditEntrySerializer),
    )
    def list(self, request: Request) -> Response:
        filters = AuditFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        entries = audit_entries(request.user, **filters.validated_data)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(entries, request)
        return paginator.get_paginated_response(AuditEntrySerializer(page, many=True).data)
