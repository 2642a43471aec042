"""The legal assessment as statistics need it: current statuses, decrypted. No policy here: the caller checks
`Capability.VIEW_STATISTICS` (counts only, never a person) before using these.

Statuses are encrypted at rest, so the database cannot count them: each assessed person's latest assessment is
decrypted here, one decryption per assessed person (about 200 for the demo, well under a second).
"""

from collections.abc import Iterable

from reception.models import LegalAssessment, LegalStatus

HELD_ACCOUNTABLE = frozenset({LegalStatus.DETAINED_CHARGED, LegalStatus.CONVICTED})
# A single status (compare with ==): "not to leave the place".
MOVEMENT_RESTRICTED: str = LegalStatus.MOVEMENT_RESTRICTION


def current_statuses(person_ids: Iterable[int] | None = None) -> dict[int, str]:
    """{person id: status of the latest assessment (by decided_on, then id)}, for persons with an assessment.

    One query; ciphertexts are loaded but only the latest per person is decrypted.
    """
    rows = LegalAssessment.objects.only("id", "person_id", "decided_on", "row_uid", "status").order_by(
        "person_id", "decided_on", "id"
    )
    if person_ids is not None:
        rows = rows.filter(person_id__in=list(person_ids))
    latest: dict[int, LegalAssessment] = {}
    for assessment in rows:
        latest[assessment.person_id] = assessment  # ordered: the last one seen is the current one
    return {person_id: str(assessment.status) for person_id, assessment in latest.items()}


def legal_status_labels(person_ids: Iterable[int]) -> dict[int, str]:
    """{person id: the current status in words}, for a list the caller has already checked (the wave manifest
    shows it only for persons whose legal class the user may view)."""
    return {pid: str(LegalStatus(status).label) for pid, status in current_statuses(person_ids).items()}
