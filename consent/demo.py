"""Demo consent records on top of demo.builder's data set (see docs/decisions/0021-consent-and-receipts.md).

- consent statements in English, Russian and Kazakh (the Kazakh version carries the Russian text, as the
  programme's bilingual forms did; a translator replaces it);
- a consent for every evacuated person, dated before their wave at al-Hol or Roj: adults for themselves, children
  through their mother, orphans through a best-interests decision of the panel (`supervisor` and `manager`);
- a refusal, with its reason, for each of the six women who refused (and for their children, through them);
- four women still in the camps, with their children, moved from consent pending to consented, so a new wave can
  be planned with them.

Deterministic (fixed seed and dates), written with bulk inserts, recorded as one audit entry.
"""

import random
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from audit.models import AuditAction
from audit.services import audit_record
from casework.models import Case, CaseEvent, CaseEventKind
from casework.transitions import CaseState
from consent.models import BestInterestsDecision, ConsentRecord, ConsentStatement, Decision, GivenBy, PanelDecision
from people.categories import categories_for
from people.models import Place, PlaceKind, Presence, Sex

if TYPE_CHECKING:
    from access.models import User

SEED = 2021
NEWLY_CONSENTED_WOMEN = 4
NEW_CONSENT_DATE = date(2019, 10, 15)
REFUSAL_REASONS = [
    "Does not wish to leave her husband, who is held in a prison in the region.",
    "Afraid of criminal prosecution at home.",
    "Wishes to stay with her husband's family in the camp.",
    "Says she will decide after the next mission's visit.",
    "Her relatives at home have not been found.",
    "Refused without giving further reasons; informed that she may ask again at any time.",
]
WITNESSES = ["A. Sarsenov, consular officer", "B. Tulegenova, consular officer", "K. Omarov, mission member"]
INTERPRETERS = ["", "", "", "Interpreter D. Yusupova"]

STATEMENTS = {
    "en": (
        "Voluntary return to the Republic of Kazakhstan",
        "You are being asked whether you wish to return to the Republic of Kazakhstan of your own free will. "
        "Your answer is voluntary. If you agree, the state will organise your travel and that of your children, "
        "and you will receive medical, psychological, legal and social support on arrival. If you refuse, your "
        "refusal is recorded and you may ask again later.",
        "You have been informed that you may be held responsible under the laws of the Republic of Kazakhstan "
        "if you committed unlawful acts in the zone of the conflict.",
    ),
    "ru": (
        "Добровольное возвращение в Республику Казахстан",
        "Вас спрашивают, желаете ли вы добровольно вернуться в Республику Казахстан. Ваш ответ добровольный. "
        "Если вы согласны, государство организует ваш переезд и переезд ваших детей, а по прибытии вы получите "
        "медицинскую, психологическую, юридическую и социальную помощь. Если вы откажетесь, отказ будет записан, "
        "и вы сможете обратиться снова позднее.",
        "Вы уведомлены о том, что можете быть привлечены к ответственности по законодательству Республики "
        "Казахстан, если совершили противоправные действия в зоне конфликта.",
    ),
}
# The Kazakh statement carries the Russian text until the programme's translator provides the Kazakh one.
STATEMENTS["kk"] = (STATEMENTS["ru"][0] + " (қазақ тіліндегі нұсқа)", STATEMENTS["ru"][1], STATEMENTS["ru"][2])


def _statements() -> dict[str, ConsentStatement]:
    made = ConsentStatement.objects.bulk_create(
        ConsentStatement(language=code, version="2019-1", title=title, text=text, responsibility_clause=clause)
        for code, (title, text, clause) in STATEMENTS.items()
    )
    return {s.language: s for s in made}


def _camps(case_person_ids: list[int]) -> dict[int, int]:
    """Each person's camp (al-Hol or Roj) from their whereabouts; al-Hol when none is recorded."""
    camps = {p.pk: p for p in Place.objects.filter(kind=PlaceKind.CAMP, name__in=["al-Hol", "Roj"])}
    found = dict(
        Presence.objects.filter(person_id__in=case_person_ids, place_id__in=camps)
        .order_by("person_id", "since")
        .values_list("person_id", "place_id")
    )
    default = next(p.pk for p in camps.values() if p.name == "al-Hol")
    return {pid: found.get(pid, default) for pid in case_person_ids}


class _Seeder:
    def __init__(self, users: dict[str, "User"]) -> None:
        self.rng = random.Random(SEED)  # noqa: S311  # nosec B311 - a reproducible demo, not a secret
        self.users = users
        self.statements = _statements()
        self.records: list[ConsentRecord] = []
        self.panels: list[BestInterestsDecision] = []
        self.panel_for: dict[int, BestInterestsDecision] = {}

    def _language(self) -> str:
        return self.rng.choice(["ru", "ru", "ru", "kk", "kk", "en"])

    def record(self, case: Case, decision: str, on: date, place_id: int, language: str, **fields: Any) -> None:
        interpreter = self.rng.choice(INTERPRETERS) if language == "en" else ""
        self.records.append(
            ConsentRecord(
                person_id=case.person_id,
                case=case,
                decision=decision,
                statement=self.statements[language],
                told_may_be_held_responsible=True,
                language=language,
                interpreter=interpreter,
                witness=self.rng.choice(WITNESSES),
                recorded_on=on,
                place_id=place_id,
                recorded_by=self.users["registrar"],
                **fields,
            )
        )

    def answer_family(self, cases: list[Case], decision: str, on_for: dict[int, date], reasons: dict[int, str]) -> None:
        """Adults for themselves, children through their mother (the parent case), orphans through the panel."""
        camps = _camps([c.person_id for c in cases])
        categories = categories_for([c.person for c in cases], on_by_person=on_for)
        language_of: dict[int, str] = {}
        for case in sorted(cases, key=lambda c: (c.parent_case_id is not None, c.pk)):
            on = on_for[case.person_id]
            found = categories[case.person_id]
            is_child = found.is_child if found.age is not None else case.parent_case_id is not None
            if case.parent_case_id is not None:
                language = language_of.get(case.parent_case_id) or self._language()
            else:
                language = self._language()
            language_of[case.pk] = language
            reason = reasons.get(case.parent_case_id or case.pk, "")
            if not is_child:
                self.record(case, decision, on, camps[case.person_id], language, given_by=GivenBy.SELF, reason=reason)
            elif case.parent_case_id is not None:
                self.record(
                    case,
                    decision,
                    on,
                    camps[case.person_id],
                    language,
                    given_by=GivenBy.MOTHER,
                    representative_id=case.parent_case.person_id,  # type: ignore[union-attr]
                    reason=reason,
                )
            else:
                panel = self._panel(case, on - timedelta(days=3))
                self.record(
                    case,
                    decision,
                    on,
                    camps[case.person_id],
                    language,
                    given_by=GivenBy.BEST_INTERESTS_PANEL,
                    best_interests_decision=panel,
                    reason=reason,
                )

    def _panel(self, case: Case, on: date) -> BestInterestsDecision:
        panel = BestInterestsDecision(
            child_id=case.person_id,
            case=case,
            decided_on=on,
            decision=PanelDecision.RETURN,
            external_members="Representative of the children's rights commissioner",
            reasons="No parent is known to be alive. Return and care by relatives at home, under the guardianship "
            "authority's supervision, serve the child's best interests better than staying in the camp.",
            recorded_by=self.users["supervisor"],
        )
        self.panels.append(panel)
        return panel

    def write(self) -> None:
        BestInterestsDecision.objects.bulk_create(self.panels)
        through = BestInterestsDecision.members.through
        through.objects.bulk_create(
            through(bestinterestsdecision_id=p.pk, user_id=self.users[name].pk)
            for p in self.panels
            for name in ("supervisor", "manager")
        )
        for record in self.records:  # the panel decisions have their ids only now
            if record.best_interests_decision is not None:
                record.best_interests_decision_id = record.best_interests_decision.pk
        ConsentRecord.objects.bulk_create(self.records)


def _newly_consented(seeder: _Seeder) -> list[Case]:
    """Four women still in the camps, pending, and their children: consented, with events and records."""
    women = list(
        Case.objects.filter(
            state=CaseState.CONSENT_PENDING, parent_case__isnull=True, person__sex=Sex.FEMALE, evacuated_on__isnull=True
        )
        .select_related("person")
        .order_by("number")[:NEWLY_CONSENTED_WOMEN]
    )
    children = list(
        Case.objects.filter(parent_case__in=women, state=CaseState.CONSENT_PENDING).select_related(
            "person", "parent_case"
        )
    )
    cases = women + children
    at = timezone.make_aware(datetime.combine(NEW_CONSENT_DATE, time(11)))
    CaseEvent.objects.bulk_create(
        CaseEvent(
            case=c,
            at=at,
            actor=seeder.users["registrar"],
            kind=CaseEventKind.TRANSITION,
            from_state=CaseState.CONSENT_PENDING,
            to_state=CaseState.CONSENTED,
            summary=str(CaseState.CONSENTED.label),
        )
        for c in cases
    )
    Case.objects.filter(pk__in=[c.pk for c in cases]).update(state=CaseState.CONSENTED, state_changed_at=at)
    seeder.answer_family(cases, Decision.CONSENT, dict.fromkeys([c.person_id for c in cases], NEW_CONSENT_DATE), {})
    return cases


@transaction.atomic
def seed(users: dict[str, "User"]) -> None:
    seeder = _Seeder(users)
    evacuated = list(
        Case.objects.filter(evacuated_on__isnull=False).select_related("person", "parent_case").order_by("number")
    )
    on_for: dict[int, date] = {}
    by_family: dict[int, date] = {}
    for case in evacuated:  # one day per family, a few weeks before their wave
        family = case.parent_case_id or case.pk
        if family not in by_family:
            wave = case.evacuated_on
            assert wave is not None
            by_family[family] = wave - timedelta(days=seeder.rng.randint(7, 40))
        on_for[case.person_id] = by_family[family]
    seeder.answer_family(evacuated, Decision.CONSENT, on_for, {})
    refused = list(
        Case.objects.filter(state=CaseState.REFUSED).select_related("person", "parent_case").order_by("number")
    )
    refusing_women = [c for c in refused if c.parent_case_id is None]
    reasons = {c.pk: REFUSAL_REASONS[i % len(REFUSAL_REASONS)] for i, c in enumerate(refusing_women)}
    seeder.answer_family(
        refused, Decision.REFUSAL, dict.fromkeys([c.person_id for c in refused], date(2019, 3, 12)), reasons
    )
    newly = _newly_consented(seeder)
    seeder.write()
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        reason="Demo consent records loaded",
        changes={
            "consent_records": [None, len(seeder.records)],
            "best_interests_decisions": [None, len(seeder.panels)],
            "newly_consented_cases": [None, len(newly)],
        },
    )
