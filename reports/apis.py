from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.selectors import programme_summary


class SummaryQuerySerializer(serializers.Serializer):
    operation = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


def _counts(name: str, *keys: str) -> serializers.Serializer:
    return inline_serializer(name, {key: serializers.IntegerField() for key in keys})


EVACUATED = ("total", "men", "women", "children", "orphans")
BY_SEX = ("total", "men", "women", "children")
FIGURES = {
    "evacuated": _counts("EvacuatedCounts", *EVACUATED),
    "held_accountable": _counts("HeldAccountableCounts", *BY_SEX),
    "movement_restricted": _counts("MovementRestrictedCounts", *BY_SEX),
}
SUMMARY_SCHEMA = inline_serializer(
    "ProgrammeSummary",
    {
        "operation": inline_serializer(
            "SummaryOperation", {"id": serializers.IntegerField(), "name": serializers.CharField()}, allow_null=True
        ),
        **FIGURES,
        "refused": _counts("RefusedCounts", *BY_SEX),
        "waves": inline_serializer(
            "WaveSummary",
            {
                "id": serializers.IntegerField(),
                "number": serializers.IntegerField(),
                "name": serializers.CharField(),
                "operation": serializers.CharField(),
                "arrives_on": serializers.DateField(allow_null=True),
                **FIGURES,
            },
            many=True,
        ),
        "cases_by_state": serializers.DictField(child=serializers.IntegerField()),
    },
)


class ProgrammeSummaryView(APIView):
    """The programme's figures computed from the records: evacuated by category at arrival, held accountable,
    under movement restriction, refused; for the whole programme or `?operation=<id>`, and per wave."""

    @extend_schema(
        parameters=[OpenApiParameter("operation", int, OpenApiParameter.QUERY, required=False)],
        responses=SUMMARY_SCHEMA,
    )
    def get(self, request: Request) -> Response:
        query = SummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = programme_summary(request.user, query.validated_data.get("operation"))
        return Response(summary.as_json())
