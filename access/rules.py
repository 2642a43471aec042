"""The access table: who may do what to which class of data, in one place.

Each role has a *scope* (which cases it reaches at all), the *actions* it may take on each data class
of a case it reaches, and *capabilities* that are not about a data class (registering a person, reading
the audit log...). A user holding several roles gets the union. `access.policy` answers every question
from this table; `access/tests/test_access_table.py` walks every row.
"""

from dataclasses import dataclass, field
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FIELD_REGISTRAR = "field_registrar", _("Field registrar")
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENCY_MANAGER = "agency_manager", _("Agency manager")
    MEDICAL_OFFICER = "medical_officer", _("Medical officer")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    LEGAL_OFFICER = "legal_officer", _("Legal officer")
    LAB_ANALYST = "lab_analyst", _("Laboratory analyst")
    REGISTRY_OFFICER = "registry_officer", _("Civil registry officer")
    STATISTICIAN = "statistician", _("Statistician")
    AUDITOR = "auditor", _("Auditor")
    SYSTEM_ADMINISTRATOR = "system_administrator", _("System administrator")
    DATA_PROTECTION_OFFICER = "data_protection_officer", _("Data protection officer")


class DataClass(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact")
    LOCATION = "location", _("Location")
    FAMILY = "family", _("Family")
    LEGAL = "legal", _("Legal and criminal status")
    MEDICAL = "medical", _("Medical")
    PSYCHOLOGICAL = "psychological", _("Psychological")
    GENETIC = "genetic", _("Genetic")
    CHILD_PROTECTION = "child_protection", _("Child protection")


# Values of these classes never appear in clear in the audit log's change records.
SENSITIVE_CLASSES = frozenset(
    {
        DataClass.LEGAL,
        DataClass.MEDICAL,
        DataClass.PSYCHOLOGICAL,
        DataClass.GENETIC,
        DataClass.CHILD_PROTECTION,
    }
)


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"  # create, update and delete records of that class
    EXPORT = "export"


class Scope(StrEnum):
    NONE = "none"  # reaches no case at all
    ASSIGNED = "assigned"  # cases where the user is caseworker, supervisor, on the case's team or assigned
    AGENCY = "agency"  # every case the user's agency is responsible for, plus the assigned ones


class Capability(StrEnum):
    REGISTER_PERSON = "register_person"
    TRANSITION_CASE = "transition_case"
    CLOSE_CASE = "close_case"  # close and reopen
    ASSIGN_CASE = "assign_case"
    VIEW_STATISTICS = "view_statistics"
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"
    MANAGE_RETENTION = "manage_retention"  # legal holds, anonymisation of closed cases past retention
    EXPORT_SUBJECT_DATA = "export_subject_data"  # everything held about one person, for a lawful request
    IMPORT_LISTS = "import_lists"  # identification lists from spreadsheets, missions to camps and prisons
    MANAGE_OPERATIONS = "manage_operations"  # operations, waves, manifests, executing a wave
    DECIDE_BEST_INTERESTS = "decide_best_interests"  # sits on the panel deciding for orphans and lone children
    MANAGE_CENTRE = "manage_centre"  # centres, buildings, rooms, admissions, discharges, groups, sessions
    RECORD_ATTENDANCE = "record_attendance"  # attendance at the centre's sessions
    BREAK_GLASS = "break_glass"  # ask emergency access to a case one does not reach (ADR 0028)
    APPROVE_BREAK_GLASS = "approve_break_glass"  # let another agency's member into a case of one's own agency
    # Settle document numbers sent for review (decision 0038): the civil registry's holders, all when it has none.
    REVIEW_DOCUMENT_NUMBERS = "review_document_numbers"


@dataclass(frozen=True)
class RoleRule:
    scope: Scope
    data: dict[DataClass, frozenset[Action]] = field(default_factory=dict)
    capabilities: frozenset[Capability] = frozenset()


def _actions(letters: str) -> frozenset[Action]:
    by_letter = {"v": Action.VIEW, "c": Action.CHANGE, "e": Action.EXPORT}
    return frozenset(by_letter[letter] for letter in letters)


def rule(scope: Scope, caps: tuple[Capability, ...] = (), **classes: str) -> RoleRule:
    return RoleRule(
        scope=scope,
        data={DataClass(name): _actions(letters) for name, letters in classes.items()},
        capabilities=frozenset(caps),
    )


C = Capability
# v = view, c = change, e = export.  A class not named is invisible to the role.
RULES: dict[Role, RoleRule] = {
    Role.FIELD_REGISTRAR: rule(
        Scope.ASSIGNED,
        (C.REGISTER_PERSON, C.TRANSITION_CASE, C.IMPORT_LISTS, C.MANAGE_OPERATIONS),
        identity="vc",
        contact="vc",
        location="vc",
        family="vc",
    ),
    Role.CASEWORKER: rule(
        Scope.ASSIGNED,
        (C.REGISTER_PERSON, C.TRANSITION_CASE, C.IMPORT_LISTS, C.MANAGE_CENTRE, C.RECORD_ATTENDANCE, C.BREAK_GLASS),
        identity="vce",
        contact="vce",
        location="vce",
        family="vce",
        child_protection="vc",
    ),
    Role.SUPERVISOR: rule(
        Scope.AGENCY,
        (
            C.REGISTER_PERSON,
            C.TRANSITION_CASE,
            C.CLOSE_CASE,
            C.ASSIGN_CASE,
            C.IMPORT_LISTS,
            C.MANAGE_OPERATIONS,
            C.DECIDE_BEST_INTERESTS,
            C.MANAGE_CENTRE,
            C.RECORD_ATTENDANCE,
            C.BREAK_GLASS,
            C.APPROVE_BREAK_GLASS,
        ),
        identity="vce",
        contact="vce",
        location="vce",
        family="vce",
        child_protection="vce",
    ),
    Role.AGENCY_MANAGER: rule(
        Scope.AGENCY,
        (
            C.ASSIGN_CASE,
            C.VIEW_STATISTICS,
            C.MANAGE_RETENTION,
            C.DECIDE_BEST_INTERESTS,
            C.APPROVE_BREAK_GLASS,
        ),
        identity="v",
        contact="v",
        location="v",
        family="v",
        child_protection="v",
    ),
    Role.MEDICAL_OFFICER: rule(
        Scope.ASSIGNED,
        (C.RECORD_ATTENDANCE, C.BREAK_GLASS),
        identity="v",
        location="v",
        family="v",
        medical="vc",
    ),
    Role.PSYCHOLOGIST: rule(
        Scope.ASSIGNED,
        (C.RECORD_ATTENDANCE,),
        identity="v",
        family="v",
        psychological="vc",
        child_protection="v",
    ),
    Role.LEGAL_OFFICER: rule(
        Scope.ASSIGNED,
        (C.RECORD_ATTENDANCE,),
        identity="v",
        location="v",
        family="v",
        legal="vc",
    ),
    Role.LAB_ANALYST: rule(
        Scope.ASSIGNED,
        (),
        identity="v",
        family="v",
        genetic="vc",
    ),
    Role.REGISTRY_OFFICER: rule(
        Scope.ASSIGNED,
        (C.REVIEW_DOCUMENT_NUMBERS,),
        identity="vc",
        family="vc",
        location="v",
    ),
    Role.STATISTICIAN: rule(Scope.NONE, (C.VIEW_STATISTICS,)),
    Role.AUDITOR: rule(Scope.NONE, (C.VIEW_AUDIT,)),
    Role.SYSTEM_ADMINISTRATOR: rule(Scope.NONE, (C.MANAGE_USERS,)),
    # Answers lawful requests (subject access): finds the person by name within the agency, sees identity only
    # on screen; the export holds everything released (docs/decisions/0034).
    Role.DATA_PROTECTION_OFFICER: rule(Scope.AGENCY, (C.EXPORT_SUBJECT_DATA,), identity="v"),
}
