"""Two people saving the same record at the same moment: one wins, the other is told, nothing is lost."""

import threading
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection

from access.models import User
from casework.models import Case
from core.errors import Conflict
from people import services
from people.models import Person

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.mark.skipif(not ON_POSTGRESQL, reason="row locks exist only on PostgreSQL; SQLite serialises all writers")
@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_one_version_let_one_through_and_refuse_the_other(
    register: Callable[..., Case], caseworker_a: User
) -> None:
    person = register().person
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def edit(phone: str) -> None:
        try:
            start.wait()
            services.person_update(
                actor=caseworker_a, person=Person.objects.get(pk=person.pk), expected_version=1, phone=phone
            )
            outcomes.append("saved")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(p,)) for p in ("+7 700 111 1111", "+7 700 222 2222")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert Person.objects.get(pk=person.pk).version == 2
