"""The case lifecycle as a table. `casework.services.case_transition` is the only way a state changes."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise

from access.rules import Capability


class CaseState(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    CONSENT_PENDING = "consent_pending", _("Consent pending")
    CONSENTED = "consented", _("Consented to return")
    REFUSED = "refused", _("Refused to return")
    EVACUATED = "evacuated", _("Evacuated")
    RECEIVED = "received", _("Received")
    IN_CENTRE = "in_centre", _("In rehabilitation centre")
    RELOCATED = "relocated", _("Relocated to home region")
    IN_LOCAL_PROGRAMME = "in_local_programme", _("In local programme")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


@dataclass(frozen=True)
class Transition:
    name: str
    source: CaseState
    target: CaseState
    label: StrPromise
    capability: Capability = Capability.TRANSITION_CASE
    reason_required: bool = False
    four_eyes: bool = False  # asked by one person, carried out only when a second one approves


S = CaseState
TRANSITIONS: tuple[Transition, ...] = (
    Transition("ask_consent", S.IDENTIFIED, S.CONSENT_PENDING, _("Ask for consent")),
    Transition("consent", S.CONSENT_PENDING, S.CONSENTED, _("Record consent")),
    Transition("refuse", S.CONSENT_PENDING, S.REFUSED, _("Record refusal"), reason_required=True),
    Transition("revisit", S.REFUSED, S.CONSENT_PENDING, _("Revisit refusal"), reason_required=True),
    Transition("withdraw", S.CONSENTED, S.CONSENT_PENDING, _("Withdraw consent"), reason_required=True),
    Transition("evacuate", S.CONSENTED, S.EVACUATED, _("Mark evacuated")),
    Transition("receive", S.EVACUATED, S.RECEIVED, _("Receive on arrival")),
    Transition("admit", S.RECEIVED, S.IN_CENTRE, _("Admit to rehabilitation centre")),
    Transition("relocate", S.IN_CENTRE, S.RELOCATED, _("Relocate to home region")),
    Transition("relocate_directly", S.RECEIVED, S.RELOCATED, _("Relocate without centre stay"), reason_required=True),
    Transition("enrol_locally", S.RELOCATED, S.IN_LOCAL_PROGRAMME, _("Enrol in local programme")),
    Transition("start_follow_up", S.IN_LOCAL_PROGRAMME, S.FOLLOW_UP, _("Start follow-up")),
    Transition("close", S.FOLLOW_UP, S.CLOSED, _("Close case"), Capability.CLOSE_CASE, True, four_eyes=True),
    Transition("close_refused", S.REFUSED, S.CLOSED, _("Close case"), Capability.CLOSE_CASE, True, four_eyes=True),
    Transition("reopen", S.CLOSED, S.FOLLOW_UP, _("Reopen case"), Capability.CLOSE_CASE, reason_required=True),
)
TRANSITIONS_BY_NAME = {t.name: t for t in TRANSITIONS}


def transitions_from(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == state]
