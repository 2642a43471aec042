from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from access import policy
from access.mfa import second_factor_code_valid
from access.models import BreakGlassReason, Notification, Team, User
from access.rules import DataClass
from audit.models import AuditAction
from audit.services import audit_record
from casework import approvals, services
from casework.break_glass import SENT_FOR_APPROVAL, break_glass_request
from casework.models import ApprovalRequest, Case, CaseAssignment, CaseEvent, CaseNote
from casework.selectors import case_timeline, readable_notes
from casework.transitions import TRANSITIONS, TRANSITIONS_BY_NAME, CaseState
from core.api import numbered_page

ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


class CaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "person",
            "parent_case",
            "state",
            "responsible_agency",
            "team",
            "caseworker",
            "supervisor",
            "opened_at",
            "state_changed_at",
            "evacuated_on",
        ]


class TransitionOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    target = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    reason_required = serializers.BooleanField()


class TransitionInputSerializer(serializers.Serializer):
    transition = serializers.ChoiceField(choices=[t.name for t in TRANSITIONS])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Date of evacuation, for the 'evacuate' transition.",
    )


class CaseFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["", *CaseState.values], required=False, default="")


class CaseEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = CaseEvent
        fields = ["id", "at", "actor", "kind", "data_class", "from_state", "to_state", "summary", "reason"]


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)

    class Meta:
        model = CaseNote
        fields = ["id", "data_class", "text", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class AssignmentInputSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    purpose = serializers.CharField(max_length=200)


class ReassignInputSerializer(serializers.Serializer):
    caseworker = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), allow_null=True)
    supervisor = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), allow_null=True)
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class EndAssignmentInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ApprovalSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)

    class Meta:
        model = ApprovalRequest
        fields = [
            "id",
            "kind",
            "case",
            "transition",
            "note",
            "reason",
            "requested_by",
            "requested_at",
            "approved",
            "decided_at",
        ]


class DecisionInputSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class BreakGlassInputSerializer(serializers.Serializer):
    case_number = serializers.CharField(max_length=30)
    category = serializers.ChoiceField(choices=BreakGlassReason.choices, help_text="The kind of emergency.")
    reason = serializers.CharField(
        max_length=2000, help_text="What is happening and why it cannot wait: 20+ characters, 3+ words."
    )
    code = serializers.CharField(
        max_length=32, help_text="A current code from the caller's authenticator: a token alone opens no case."
    )


class BreakGlassOutcomeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["open", "waiting"])
    detail = serializers.CharField()
    case = CaseSerializer(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)


class ApprovalViewSet(viewsets.ViewSet):
    """Four eyes: requests waiting for the caller's decision, and deciding them."""

    lookup_value_regex = r"[0-9]{1,19}"

    @extend_schema(responses=ApprovalSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(ApprovalSerializer(approvals.pending_for(request.user), many=True).data)

    @extend_schema(parameters=[ID], request=DecisionInputSerializer, responses=ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request: Request, pk: str) -> Response:
        approval = get_object_or_404(ApprovalRequest, pk=int(pk), case__in=policy.cases_visible_to(request.user))
        payload = DecisionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        approval = approvals.approval_decide(actor=request.user, request=approval, **payload.validated_data)
        return Response(ApprovalSerializer(approval).data)


class BreakGlassViewSet(viewsets.ViewSet):
    """Emergency access (ADR 0028): 201 with the case when it opens at once (own agency), 202 when sent to the
    responsible agency for approval; a number naming no case gets the same 202."""

    @extend_schema(
        request=BreakGlassInputSerializer,
        responses={201: BreakGlassOutcomeSerializer, 202: BreakGlassOutcomeSerializer},
    )
    def create(self, request: Request) -> Response:
        payload = BreakGlassInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        fresh = second_factor_code_valid(request.user, data.pop("code"))
        grant = break_glass_request(actor=request.user, second_factor_fresh=fresh, **data)
        if grant.case is not None and grant.granted_at is not None:
            outcome = {
                "status": "open",
                "detail": _("Emergency access opened."),
                "case": grant.case,
                "expires_at": grant.expires_at,
            }
            return Response(BreakGlassOutcomeSerializer(outcome).data, status=status.HTTP_201_CREATED)
        waiting = {"status": "waiting", "detail": str(SENT_FOR_APPROVAL), "case": None, "expires_at": None}
        return Response(BreakGlassOutcomeSerializer(waiting).data, status=status.HTTP_202_ACCEPTED)


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "text", "link", "created_at", "read_at"]


class NotificationViewSet(viewsets.ViewSet):
    @extend_schema(responses=NotificationSerializer(many=True))
    def list(self, request: Request) -> Response:
        items = list(request.user.notifications.all()[:100])  # type: ignore[union-attr]
        return Response(NotificationSerializer(items, many=True).data)


class CaseViewSet(viewsets.ViewSet):
    """Cases the user may reach. State changes go through `transitions`, never through an update."""

    lookup_value_regex = r"[0-9]{1,19}"  # ids only: anything else is a 404 before any view code runs

    @extend_schema(
        parameters=[OpenApiParameter("state", str, enum=CaseState.values), OpenApiParameter("page", int)],
        responses=numbered_page("PaginatedCaseList", CaseSerializer),
    )
    def list(self, request: Request) -> Response:
        cases = policy.cases_visible_to(request.user).order_by("number")
        filters = CaseFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        if filters.validated_data["state"]:
            cases = cases.filter(state=filters.validated_data["state"])
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(cases, request)
        return paginator.get_paginated_response(CaseSerializer(page, many=True).data)

    @extend_schema(parameters=[ID], responses=CaseSerializer)
    def retrieve(self, request: Request, pk: str) -> Response:
        case = policy.case_for_user(request.user, pk)
        audit_record(actor=request.user, action=AuditAction.VIEW, obj=case, person_id=case.person_id)
        return Response(CaseSerializer(case).data)

    @extend_schema(methods=["GET"], parameters=[ID], responses=TransitionOptionSerializer(many=True))
    @extend_schema(methods=["POST"], parameters=[ID], request=TransitionInputSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["get", "post"])
    def transitions(self, request: Request, pk: str) -> Response:
        """GET: the transitions this user may make now. POST: make one."""
        case = policy.case_for_user(request.user, pk)
        if request.method == "POST":
            payload = TransitionInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            if TRANSITIONS_BY_NAME[data["transition"]].four_eyes:
                approval = approvals.closing_request(
                    actor=request.user, case=case, transition=data["transition"], reason=data["reason"]
                )
                return Response(ApprovalSerializer(approval).data, status=status.HTTP_202_ACCEPTED)
            case = services.case_transition(actor=request.user, case=case, **data)
            return Response(CaseSerializer(case).data)
        options = [
            {"name": t.name, "target": t.target, "label": str(t.label), "reason_required": t.reason_required}
            for t in services.transitions_allowed(request.user, case)
        ]
        return Response(options)

    @extend_schema(parameters=[ID], responses=CaseEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def timeline(self, request: Request, pk: str) -> Response:
        """The latest lines of the case's timeline, only those of the data classes the user may see."""
        case = policy.case_for_user(request.user, pk)
        classes = policy.visible_classes(request.user, case)
        events = list(case_timeline(case, classes, limit=200))
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            obj=case,
            person_id=case.person_id,
            changes={"timeline": sorted({e.data_class for e in events})},
        )
        return Response(CaseEventSerializer(events, many=True).data)

    @extend_schema(methods=["GET"], parameters=[ID], responses=NoteSerializer(many=True))
    @extend_schema(methods=["POST"], parameters=[ID], request=NoteSerializer, responses={201: NoteSerializer})
    @action(detail=True, methods=["get", "post"])
    def notes(self, request: Request, pk: str) -> Response:
        case = policy.case_for_user(request.user, pk)
        if request.method == "POST":
            payload = NoteSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            note = services.case_note_add(actor=request.user, case=case, **payload.validated_data)
            return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)
        classes = policy.visible_classes(request.user, case)
        notes = readable_notes(request.user, case, classes).select_related("author")
        audit_record(
            actor=request.user,
            action=AuditAction.VIEW,
            obj=case,
            person_id=case.person_id,
            changes={"notes": sorted(classes & {DataClass(n.data_class) for n in notes})},
        )
        return Response(NoteSerializer(notes, many=True).data)

    @extend_schema(parameters=[ID], request=AssignmentInputSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def assignments(self, request: Request, pk: str) -> Response:
        case = policy.case_for_user(request.user, pk)
        payload = AssignmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assignment = services.case_assign(actor=request.user, case=case, **payload.validated_data)
        return Response({"id": assignment.pk}, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[ID], request=ReassignInputSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def responsibility(self, request: Request, pk: str) -> Response:
        """Change the caseworker, supervisor and team (supervisors and managers)."""
        case = policy.case_for_user(request.user, pk)
        payload = ReassignInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        case = services.case_reassign(actor=request.user, case=case, **payload.validated_data)
        return Response(CaseSerializer(case).data)

    @extend_schema(
        parameters=[ID, OpenApiParameter("assignment_id", int, OpenApiParameter.PATH)],
        request=EndAssignmentInputSerializer,
        responses={204: None},
    )
    @action(detail=True, methods=["post"], url_path=r"assignments/(?P<assignment_id>[0-9]{1,18})/end")
    def end_assignment(self, request: Request, pk: str, assignment_id: str) -> Response:
        case = policy.case_for_user(request.user, pk)
        assignment = get_object_or_404(CaseAssignment, pk=int(assignment_id), case=case)
        payload = EndAssignmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.assignment_end(actor=request.user, assignment=assignment, **payload.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[ID, OpenApiParameter("note_id", int, OpenApiParameter.PATH)],
        request=EndAssignmentInputSerializer,
        responses={202: ApprovalSerializer},
    )
    @action(detail=True, methods=["post"], url_path=r"notes/(?P<note_id>[0-9]{1,18})/release")
    def release_note(self, request: Request, pk: str, note_id: str) -> Response:
        """Ask a second analyst to release a genetic result."""
        case = policy.case_for_user(request.user, pk)
        note = get_object_or_404(CaseNote, pk=int(note_id), case=case)
        payload = EndAssignmentInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        approval = approvals.genetic_release_request(actor=request.user, note=note, **payload.validated_data)
        return Response(ApprovalSerializer(approval).data, status=status.HTTP_202_ACCEPTED)
