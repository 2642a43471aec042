"""Catch-up vaccination: which doses of the schedule a child is due or overdue for, from age and doses given.

The schedule is data (`Vaccine`, `VaccineDose`, kept in the admin). For each vaccine only the next dose counts:
it is due from the later of its recommended age and its earliest allowed date (minimum age, minimum interval
since the previous dose), and overdue once that date is more than a grace period behind.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings

from people.dates import years_between
from people.models import Person
from reception.models import Vaccination, Vaccine, VaccineDose

OVERDUE_AFTER_DAYS = 28


@dataclass(frozen=True)
class DueDose:
    vaccine: Vaccine
    dose: VaccineDose
    due_from: date
    overdue: bool


def add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    target_year, target_month = day.year + year, month + 1
    for last in (31, 30, 29, 28):
        try:
            return date(target_year, target_month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th


def catch_up(
    person: Person,
    on: date,
    *,
    vaccines: list[Vaccine] | None = None,
    given: list[Vaccination] | None = None,
) -> list[DueDose]:
    """Doses due or overdue on `on` for a child (an adult, or a child with no date of birth, gets none).

    Pass `vaccines` (with doses prefetched) and `given` to avoid queries when listing many children.
    """
    born = person.birth_date or person.birth_date_best
    if born is None or on < born or years_between(born, on) >= settings.ZHUSAN_CHILD_AGE_LIMIT:
        return []
    if vaccines is None:
        vaccines = list(Vaccine.objects.filter(active=True).prefetch_related("doses"))
    if given is None:
        given = list(Vaccination.objects.filter(person=person))
    due: list[DueDose] = []
    for vaccine in vaccines:
        if vaccine.maximum_age_months is not None and on >= add_months(born, vaccine.maximum_age_months):
            continue
        doses = sorted(vaccine.doses.all(), key=lambda d: d.number)
        taken = sorted((v for v in given if v.vaccine_id == vaccine.pk), key=lambda v: v.given_on)
        numbers = {v.dose_number for v in taken}
        pending = [d for d in doses if d.number not in numbers]
        if not pending:
            continue
        dose = pending[0]
        earliest = born + timedelta(days=dose.minimum_age_days)
        if taken:
            earliest = max(earliest, taken[-1].given_on + timedelta(days=dose.minimum_interval_days))
        due_from = max(earliest, add_months(born, dose.recommended_age_months))
        if on >= due_from:
            due.append(
                DueDose(
                    vaccine=vaccine,
                    dose=dose,
                    due_from=due_from,
                    overdue=(on - due_from).days > OVERDUE_AFTER_DAYS,
                )
            )
    return due
