"""The demo centre: four buildings of 240 beds, each wave's women and children for a month, discharged since."""

from datetime import date, timedelta

import pytest
from django.db.models import Count, Sum

from audit.models import AuditEntry
from casework.models import Case
from centres import demo, placement
from centres.models import Attendance, Building, Centre, Group, Room, Session, Stay
from demo.builder import build_demo
from people.categories import Group as Category
from people.categories import categories_for
from people.models import Person, Relationship, RelationshipKind


@pytest.mark.django_db
def test_the_demo_centre_houses_each_waves_women_and_children_in_its_own_building_for_a_month() -> None:
    users = build_demo()  # once the demo is wired, it already calls demo.seed: then it is not called twice
    if not Centre.objects.exists():
        states = dict(Case.objects.values_list("pk", "state"))
        demo.seed(users)
        assert dict(Case.objects.values_list("pk", "state")) == states  # no case moved
    centre = Centre.objects.get()
    assert (
        centre.agency.short_name == "Aktau Centre" and centre.place.name == "Aktau rehabilitation and adaptation centre"
    )
    beds = dict(Building.objects.annotate(beds=Sum("rooms__capacity")).values_list("name", "beds"))
    assert len(beds) == 4 and all(n >= 240 for n in beds.values())
    for number, wave in enumerate(demo.WAVES, start=1):
        persons = list(Person.objects.filter(case__evacuated_on=wave))
        categories = categories_for(persons, wave)
        expected = {p.pk for p in persons if categories[p.pk].group in (Category.WOMAN, Category.CHILD)}
        stays = Stay.objects.filter(admitted_on=wave)
        assert set(stays.values_list("person_id", flat=True)) == expected
        assert set(stays.values_list("room__building__name", flat=True)) == {f"Building {number}"}
        assert set(stays.values_list("discharged_on", "planned_until").distinct()) == {
            (wave + timedelta(days=30), wave + timedelta(days=30))
        }
        assert Group.objects.filter(starts_on=wave).count() >= 3
    men = [p for p in Person.objects.filter(centre_stays__isnull=False) if p.sex == "M"]
    assert all(categories_for([m], date(2019, 1, 6))[m.pk].group != Category.MAN for m in men)
    # No room holds more than its beds on any admission day; mothers share a room with their children.
    for wave in demo.WAVES:
        taken = placement.beds_taken(Room.objects.values_list("pk", flat=True), wave)
        capacity = dict(Room.objects.values_list("pk", "capacity"))
        assert all(taken[r] <= capacity[r] for r in taken)
    room_of = dict(Stay.objects.values_list("person_id", "room_id"))
    pairs = Relationship.objects.filter(kind=RelationshipKind.MOTHER, subject_id__in=room_of, object_id__in=room_of)
    together = sum(1 for m, c in pairs.values_list("subject_id", "object_id") if room_of[m] == room_of[c])
    assert together >= 0.9 * pairs.count()
    week = Session.objects.filter(on__range=(date(2019, 1, 7), date(2019, 1, 13)))
    assert week.count() == Session.objects.count() > 0
    assert set(week.values_list("on", flat=True).distinct()) == {
        date(2019, 1, 6) + timedelta(days=d) for d in range(1, 8)
    }
    per_session = Session.objects.annotate(
        n=Count("attendance", distinct=True), m=Count("group__members", distinct=True)
    )
    assert all(s.n == s.m for s in per_session)
    assert Attendance.objects.filter(status="present").count() > Attendance.objects.exclude(status="present").count()
    assert AuditEntry.objects.filter(reason="Demo data set: rehabilitation centre").count() == 1
