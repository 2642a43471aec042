"""Schemathesis over the whole OpenAPI schema, once per role: no request, however odd, gets a server error.

For each role, a user of that role (NDA accepted, assigned to one case, with a personal token and a recovery
code) fetches the schema from /api/schema/ and sends a bounded, deterministic set of generated requests to
every operation: requests that fit the schema and requests that break it. Ids in paths, queries and bodies
are partly drawn from the records built here, so the requests reach the views' code and not only their 404s.

Writes stay, as on a real server, so later requests meet what earlier ones left (a poisoned record shows as
a later failure). A request that got a server error is rolled back, so its database error cannot spill into
the next one. Checked: no status of 500 or above; /api/v1/ answers JSON (photo and scan downloads excepted);
and every answer is what the schema declares for it: a declared status, a declared media type and a body that
fits its schema (errors in the one error shape, pages as pages). All failures of a role are reported together,
each once, with the server's traceback.
"""

import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import DatabaseError, close_old_connections, transaction
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from PIL import Image
from schemathesis import GenerationMode
from schemathesis.core import NotSet
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Err, Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from access.models import Agency, Team, User
from access.rules import DataClass, Role
from access.tokens import api_token_create
from casework import approvals
from casework.models import Case, CaseAssignment
from casework.services import case_note_add, case_transition
from conftest import cyrillic, latin
from people import services as people_services
from people.models import DocumentStatus, DocumentType, Place, PlaceKind

# Requests per operation and role: 38 operations x 12 roles x 8 stay within CI's budget (about 2.5 minutes).
# A deeper search on one's own machine: ZHUSAN_FUZZ_EXAMPLES=100 pytest -n 0 tests/test_api_fuzz.py
MAX_EXAMPLES = int(os.environ.get("ZHUSAN_FUZZ_EXAMPLES", "8"))
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure in CI is a failure on one's machine
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: failures are collected, not raised
    suppress_health_check=list(HealthCheck),
    print_blob=False,
)
RECOVERY = "fuzzrecovery1"  # the fuzzing user's recovery code, for the acts that ask for a second factor


@dataclass
class World:
    """The records the requests aim at, under the names that point at them in paths, queries and bodies."""

    assigned_case: Case
    ids: dict[str, list[Any]] = field(default_factory=dict)

    def path_ids(self, path: str, parameter: str) -> list[Any]:
        if parameter != "id":  # assignment_id, note_id
            return self.ids.get(parameter, [])
        resource = path.removeprefix("/api/v1/").split("/", 1)[0]  # persons, cases, names, ...
        return self.ids.get(resource, [])


@dataclass
class Failure:
    method: str
    path: str
    status: int
    problem: str
    exchange: str
    trace: str = ""

    def __str__(self) -> str:
        text = f"{self.method} {self.path} -> {self.status}: {self.problem}\n    {self.exchange}"
        return text + (f"\n    server trace:\n{self.trace}" if self.trace else "")


def _jpeg() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _private_media_and_reusable_codes(settings: Any, tmp_path: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # wrong codes are sent on purpose; they must not lock the right one


@pytest.fixture
def world(
    register: Callable[..., Case],
    caseworker_a: User,
    supervisor_a: User,
    make_user: Callable[..., User],
    team_a: Team,
) -> World:
    """A small registry: a mother and her son with cases (his consented, ready to evacuate), a man whose refusal
    waits for a closing approval, places, a relationship, a document and its scan, whereabouts, a household, a
    photo, notes and a genetic result waiting for release."""
    kazakhstan = Place.objects.create(kind=PlaceKind.COUNTRY, name="Kazakhstan", code="KZ")
    syria = Place.objects.create(kind=PlaceKind.COUNTRY, name="Syria", code="SY")
    camp = Place.objects.create(kind=PlaceKind.CAMP, name="Al-Hol", parent=syria, names={"ru": "Аль-Холь"})

    mother_case = register(latin("Aigerim", "Nurlanova"), cyrillic("Айгерим", "Нурланова"), birth_place_actual=camp)
    son_case = register(latin("Amir", "Nurlanov"), sex="M", born=date(2015, 3, 2))
    man_case = register(latin("Daniyar", "Seitkali"), sex="M", born=date(1985, 1, 1))
    mother, son, man = mother_case.person, son_case.person, man_case.person

    relationship = people_services.relationship_add(actor=caseworker_a, subject=mother, obj=son, kind="mother")
    document = people_services.document_add(
        actor=caseworker_a,
        person=mother,
        doc_type=DocumentType.PASSPORT,
        number="N1234567",
        issuing_state=kazakhstan,
        issued_on=date(2012, 1, 1),
        expires_on=date(2022, 1, 1),
        status=DocumentStatus.EXPIRED,
    )
    people_services.presence_record(actor=caseworker_a, person=mother, place=camp, since=date(2019, 3, 1), source="X")
    household = people_services.household_create(actor=caseworker_a, name="Nurlanov family", head=mother)
    people_services.household_member_add(actor=caseworker_a, household=household, person=son)
    people_services.photo_set(
        actor=caseworker_a, person=mother, upload=SimpleUploadedFile("p.jpg", _jpeg(), "image/jpeg")
    )
    people_services.document_scan_attach(
        actor=caseworker_a, document=document, upload=SimpleUploadedFile("s.jpg", _jpeg(), "image/jpeg")
    )

    note = case_note_add(actor=caseworker_a, case=mother_case, data_class=DataClass.CHILD_PROTECTION, text="Seen.")
    analyst = make_user(Role.LAB_ANALYST, username="analyst")
    CaseAssignment.objects.create(case=mother_case, user=analyst, purpose="DNA match", assigned_by=supervisor_a)
    genetic = case_note_add(actor=analyst, case=mother_case, data_class=DataClass.GENETIC, text="Match 99.9%.")
    release = approvals.genetic_release_request(actor=analyst, note=genetic, reason="Second analyst, please.")

    for step in ("ask_consent", "consent"):
        son_case = case_transition(actor=caseworker_a, case=son_case, transition=step)
    man_case = case_transition(actor=caseworker_a, case=man_case, transition="ask_consent")
    man_case = case_transition(actor=caseworker_a, case=man_case, transition="refuse", reason="Will not return.")
    closing = approvals.closing_request(
        actor=supervisor_a, case=man_case, transition="close_refused", reason="Refusal confirmed twice."
    )

    cases = [mother_case, son_case, man_case]
    persons = [mother.pk, son.pk, man.pk]
    places = [kazakhstan.pk, syria.pk, camp.pk]
    users = [caseworker_a.pk, supervisor_a.pk, analyst.pk]
    return World(
        assigned_case=mother_case,
        ids={
            # path parameters, by resource
            "persons": persons,
            "cases": [c.pk for c in cases],
            "names": list(mother.names.values_list("pk", flat=True)),
            "relationships": [relationship.pk],
            "places": places,
            "approvals": [release.pk, closing.pk],
            "assignment_id": list(CaseAssignment.objects.values_list("pk", flat=True)),
            "note_id": [note.pk, genetic.pk],
            "document_id": [document.pk],
            # fields of queries and bodies
            "other": persons,
            "person_id": persons,
            "parent_case": [c.pk for c in cases],
            "case_number": [c.number for c in cases],
            "place": places,
            "issuing_state": places,
            "birth_place_actual": places,
            "birth_place_registered": places,
            "household": [household.pk],
            "user": users,
            "caseworker": users,
            "supervisor": users,
            "team": [team_a.pk],
            "document": [document.pk],
            "version": [1],
            "code": [RECOVERY],
        },
    )


@contextmanager
def _in_process_server() -> Iterator[list[BaseException]]:
    """Django's WSGI handler in this process and this test's transaction, run as Django's test client runs it:
    the request signals must not close the test's database connection. Yields the exceptions views raised."""
    raised: list[BaseException] = []

    def remember(sender: Any, request: Any = None, **kwargs: Any) -> None:
        exception = sys.exc_info()[1]
        if exception is not None:
            raised.append(exception)

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(remember)
    try:
        yield raised
    finally:
        got_request_exception.disconnect(remember)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _closed_request_bodies(raw: dict[str, Any]) -> dict[str, Any]:
    """drf-spectacular leaves request shapes open to fields they do not name, but the API refuses unknown fields.
    Closing them makes the valid requests valid, so they get past the first check; invalid ones still send
    unknown fields."""
    for name, component in raw.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request") and component.get("type") == "object":
            component.setdefault("additionalProperties", False)
    return raw


def _is_json(response: Any) -> bool:
    if not response.content:
        return True  # 204 and other empty answers
    if not response.headers.get("content-type", [""])[0].startswith("application/json"):
        return False
    try:
        json.loads(response.content)
    except ValueError:
        return False
    return True


def _may_be_other_than_json(case: Any, response: Any) -> bool:
    """Photo and scan downloads are files; everything else under /api/v1/ answers JSON (404s too, see core.views)."""
    return bool(case.operation.path.endswith(("/photo/", "/scan/")) and case.method == "GET")


# The answer must be what the schema declares: its status, its media type and its body (finding 12).
CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]


def _nonconformance(case: Any, response: Any) -> str:
    """How the answer differs from what the schema declares for it ("" when it does not)."""
    try:
        case.validate_response(response, checks=CONFORMANCE)
    except FailureGroup as group:
        return "; ".join(sorted({f"{f.title}: {f.message.splitlines()[0][:160]}" for f in group.exceptions}))
    return ""


def _aim(data: st.DataObject, path: str, container: Any, known: Callable[[str], list[Any]]) -> None:
    """Point some generated ids at existing records, or keep the generated value."""
    if not isinstance(container, dict):
        return
    for name in sorted(container):
        if choices := known(name):
            container[name] = data.draw(st.sampled_from([container[name], *choices]), label=f"{path} {name}")


def _fuzz_operation(
    operation: Any,
    world: World,
    app: WSGIHandler,
    auth: dict[str, str],
    recovery: StaticDevice,
    failures: dict[tuple[str, str, int, str], Failure],
) -> None:
    """Send the operation's generated requests; remember each kind of failure once."""
    path = operation.path
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    with _in_process_server() as raised:

        @FUZZ_SETTINGS
        @given(data=st.data())
        def run(data: st.DataObject) -> None:
            case = data.draw(strategy, label="case")
            _aim(data, path, case.path_parameters, lambda name: world.path_ids(path, name))
            _aim(data, path, case.query, lambda name: world.ids.get(name, []))
            _aim(data, path, case.body, lambda name: world.ids.get(name, []))
            StaticToken.objects.get_or_create(device=recovery, token=RECOVERY)  # single use: put back
            raised.clear()
            problem = ""
            try:
                with transaction.atomic():
                    response = case.call(app=app, headers=auth)
                    if response.status_code >= 500:
                        transaction.set_rollback(True)
            except DatabaseError as exc:  # the request left the transaction broken yet did not fail
                raised.append(exc)
                problem = "database transaction left broken"
            if response.status_code >= 500:
                problem = "server error"
            elif not _is_json(response) and not _may_be_other_than_json(case, response):
                problem = f"not JSON ({response.headers.get('content-type', ['?'])[0]})"
            else:
                problem = _nonconformance(case, response)
            if not problem:
                return
            trace = "".join(traceback.format_exception(raised[-1])[-6:]) if raised else ""
            sent = "(none)" if isinstance(case.body, NotSet) else repr(case.body)
            signature = (case.method, path, response.status_code, trace.splitlines()[-1] if trace else problem)
            failures.setdefault(
                signature,
                Failure(
                    method=case.method,
                    path=case.formatted_path,
                    status=response.status_code,
                    problem=problem,
                    exchange=f"query {case.query!r:.200} body {sent:.300}; got {response.content[:300]!r}",
                    trace=trace,
                ),
            )

        run()


def _fuzz_role(role: Role, world: World, make_user: Callable[..., User], agency: Agency) -> list[Failure]:
    user = make_user(role, agency=agency, username=f"fuzz-{role}")
    own = CaseAssignment.objects.create(case=world.assigned_case, user=user, purpose="Schemathesis")
    world.ids["assignment_id"] = [pk for pk in world.ids["assignment_id"] if pk != own.pk]  # keeps its reach
    recovery = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    _token, key = api_token_create(actor=user, name="Schemathesis", days=1)
    auth = {"Authorization": f"Token {key}"}

    served = Client().get("/api/schema/?format=json", HTTP_AUTHORIZATION=auth["Authorization"])
    assert served.status_code == 200, served.content[:300]
    schema = schemathesis.openapi.from_dict(_closed_request_bodies(json.loads(served.content)))
    results = list(schema.get_all_operations())
    assert not [r.err() for r in results if isinstance(r, Err)], "schemathesis cannot read some operations"
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    assert len(operations) > 30, "the schema lost its operations"

    app = WSGIHandler()
    failures: dict[tuple[str, str, int, str], Failure] = {}
    # Deletions last, so the records they remove are there for the other operations first.
    for operation in sorted(operations, key=lambda op: op.method.upper() == "DELETE"):
        _fuzz_operation(operation, world, app, auth, recovery, failures)
    return list(failures.values())


@pytest.mark.parametrize("role", list(Role), ids=[str(r) for r in Role])
def test_no_request_from_any_role_gets_a_server_error(
    role: Role, world: World, make_user: Callable[..., User], agency_a: Agency
) -> None:
    failures = _fuzz_role(role, world, make_user, agency_a)
    assert not failures, f"{len(failures)} kind(s) of failing request for {role}:\n" + "\n".join(map(str, failures))
