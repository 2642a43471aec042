"""The demo's reception records agree with the programme's figures."""

from collections import Counter

import pytest
from django.test import Client

from access.models import NdaAcceptance, NdaVersion, User
from audit.models import AuditEntry
from casework.models import Case
from demo.builder import WAVES, build_demo
from people.categories import categories_for
from reception import demo
from reception.legal import HELD_ACCOUNTABLE, MOVEMENT_RESTRICTED, current_statuses
from reception.models import Arrival, GrowthMeasurement, Quarantine, Severity


def _demo() -> dict[str, User]:
    """The demo data set with the reception records (build_demo runs the programme seeds once they are wired)."""
    users = build_demo()
    if not Arrival.objects.exists():
        demo.seed(users)
    return users


@pytest.mark.django_db
def test_the_demo_seed_gives_the_programme_figures() -> None:
    _demo()
    evacuated = list(Case.objects.filter(evacuated_on__in=[on for on, _ in WAVES]).select_related("person"))
    assert len(evacuated) == Arrival.objects.count() == Quarantine.objects.count() == 595
    assert not Arrival.objects.exclude(place__name="Aktau").exists()
    groups = categories_for(
        [c.person for c in evacuated], on_by_person={c.person_id: c.evacuated_on for c in evacuated}
    )
    statuses = current_statuses()
    held = Counter(groups[pid].group for pid, status in statuses.items() if status in HELD_ACCOUNTABLE)
    restricted = Counter(groups[pid].group for pid, status in statuses.items() if status == MOVEMENT_RESTRICTED)
    assert held == {"man": 33, "woman": 12}
    assert restricted == {"woman": 4}
    adults = sum(1 for c in groups.values() if c.group in ("man", "woman"))
    assert len(statuses) == adults == 189
    assert {statuses[pid] for pid in statuses if groups[pid].group == "man"} <= set(HELD_ACCOUNTABLE)

    measurements = list(GrowthMeasurement.objects.all())  # encrypted: classified in Python, not by the database
    young = [m for m in measurements if m.age_days is not None and m.age_days <= 1826]
    assert any(m.acute_malnutrition == Severity.SEVERE for m in young)
    assert any(m.acute_malnutrition == Severity.MODERATE for m in young)
    assert any(m.z_notes.get("waz") == "over_5_years" for m in measurements)
    assert AuditEntry.objects.filter(reason="Demo reception data loaded").count() == 1


@pytest.mark.django_db
def test_seeding_again_adds_no_second_arrival() -> None:
    users = _demo()
    demo.seed(users)
    assert Arrival.objects.count() == 595


@pytest.mark.django_db
def test_the_demo_lawyer_and_doctor_see_their_records() -> None:
    users = _demo()
    for name in ("doctor", "lawyer"):
        NdaAcceptance.objects.get_or_create(user=users[name], nda=NdaVersion.objects.get())
    measurement = next(m for m in GrowthMeasurement.objects.all() if m.acute_malnutrition == Severity.SEVERE)
    client = Client()
    client.force_login(users["doctor"])
    html = client.get(f"/reception/people/{measurement.person_id}/").content.decode()
    assert "Severe" in html
    man = Case.objects.filter(evacuated_on__isnull=False, person__sex="M", parent_case__isnull=True).first()
    assert man is not None
    client.force_login(users["lawyer"])
    assert "Legal assessment" in client.get(f"/reception/people/{man.person_id}/").content.decode()
