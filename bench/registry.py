"""Registry benchmark: search latency and person-page time at scale, on the database DATABASE_URL selects.

    .venv/bin/python bench/registry.py [--persons 100000] [--queries 200] [--seed 2025] [--explain]

Builds a throw-away test database with Django's test-database machinery (never the real one), fills it with
synthetic persons named from the demo's name stock (Cyrillic, Latin and Arabic scripts), then times
`people.selectors.person_search` and `people.selectors.person_view` as a supervisor who sees every case,
plus a fully rendered person page through the test client. Every figure is measured, none is hard-coded.
"""

# ruff: noqa: E402  -- Django must be configured before the project's models can be imported.

import argparse
import math
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

# Run as a script from anywhere: the project root must be importable, and the settings are the project's own.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "zhusan.settings"

import django

django.setup()

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, setup_test_environment, teardown_test_environment
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.mfa import OTP_AT_SESSION_KEY
from access.models import Agency, AgencyKind, NdaAcceptance, NdaVersion, Team, User
from access.rules import Role
from casework.models import Case
from casework.transitions import CaseState
from demo import names as N
from people.family import best_birth_date
from people.models import (
    BirthDatePrecision,
    CitizenshipStatus,
    NameKind,
    NameToken,
    Person,
    PersonName,
    Place,
    PlaceKind,
    Presence,
    Relationship,
    RelationshipBasis,
    RelationshipKind,
    Sex,
)
from people.selectors import person_search, person_view
from people.transliteration import fold_tokens

TARGET_P95_SEARCH_MS = 150.0
# Birth dates are drawn relative to a fixed day so that the same seed gives the same data on any date.
REFERENCE_DAY = date(2024, 6, 1)
PAGE_SAMPLES = 50
RENDERED_SAMPLES = 20
WARM_UP_CALLS = 3


# --- data generation ---------------------------------------------------------------------------------------


NameRow = tuple[str, str, str, str, str, str]  # script, given, family, patronymic, kind, source


@dataclass
class Spec:
    """One person before insertion: plain values, turned into model rows only at write time."""

    sex: str
    born: date
    precision: str
    names: list[NameRow]
    mother: int | None = None  # index of the mother in the same batch


def _patronymic(father_given: str, sex: str) -> str:
    return father_given + ("овна" if sex == Sex.FEMALE else "ович")


class Builder:
    """Writes persons batch by batch: names, name tokens, a case, a current whereabouts and mother links."""

    def __init__(self, rng: random.Random, agency: Agency, team: Team, places: list[Place]) -> None:
        self.rng = rng
        self.agency = agency
        self.team = team
        self.places = places
        self.states = list(CaseState.values)
        self.counts = {"persons": 0, "names": 0, "tokens": 0, "cases": 0, "presences": 0, "relationships": 0}

    def _born(self, age: int) -> tuple[date, str]:
        born = REFERENCE_DAY - timedelta(days=365 * age + self.rng.randint(0, 364))
        precision = self.rng.choices(
            [BirthDatePrecision.DAY, BirthDatePrecision.YEAR, BirthDatePrecision.ESTIMATED], weights=[7, 2, 1]
        )[0]
        return born, precision

    def _names(self, sex: str, child: bool, surname: tuple[str, str]) -> list[NameRow]:
        rng = self.rng
        if child:
            stock = N.CHILD_FEMALE if sex == Sex.FEMALE else N.CHILD_MALE
        else:
            stock = N.FEMALE_GIVEN if sex == Sex.FEMALE else N.MALE_GIVEN
        given = rng.choice(stock)
        family = (N.feminine(surname[0]), N.feminine(surname[1])) if sex == Sex.FEMALE else surname
        patronymic = _patronymic(rng.choice(N.MALE_GIVEN)[0], sex) if rng.random() < 0.6 else ""
        names: list[NameRow] = [("cyrl", given[0], family[0], patronymic, NameKind.REGISTERED, "Civil registry")]
        if rng.random() < 0.7:
            names.append(("latn", given[1], family[1], "", NameKind.DECLARED, "Interview in camp"))
        if not child and rng.random() < 0.2:
            aliases = N.ARABIC_ALIASES_FEMALE if sex == Sex.FEMALE else N.ARABIC_ALIASES_MALE
            names.append(("arab", rng.choice(aliases), "", "", NameKind.ALIAS, "Camp administration list"))
        return names

    def specs(self, size: int) -> list[Spec]:
        """`size` persons: mothers with one to four children, and adults on their own."""
        rng = self.rng
        batch: list[Spec] = []
        while len(batch) < size:
            surname = rng.choice(N.FAMILY)
            if rng.random() < 0.45:
                age = rng.randint(19, 50)
                born, precision = self._born(age)
                mother = len(batch)
                batch.append(Spec(Sex.FEMALE, born, precision, self._names(Sex.FEMALE, False, surname)))
                for _ in range(min(rng.randint(1, 4), size - len(batch))):
                    sex = rng.choice([Sex.FEMALE, Sex.MALE])
                    # Mothers were at least 16 at the birth: keeps the family graph's own rules true.
                    child_born, child_precision = self._born(rng.randint(0, min(17, age - 16)))
                    batch.append(Spec(sex, child_born, child_precision, self._names(sex, True, surname), mother))
            else:
                sex = rng.choice([Sex.FEMALE, Sex.MALE])
                born, precision = self._born(rng.randint(19, 60))
                batch.append(Spec(sex, born, precision, self._names(sex, False, surname)))
        return batch

    def _person(self, spec: Spec) -> Person:
        person = Person(sex=spec.sex, birth_date_precision=spec.precision, citizenship_status=CitizenshipStatus.CITIZEN)
        if spec.precision == BirthDatePrecision.ESTIMATED:
            age = max(0, (REFERENCE_DAY - spec.born).days // 365)
            person.estimated_age_min, person.estimated_age_max = max(0, age - 1), age + 1
            person.age_estimated_on = REFERENCE_DAY
        elif spec.precision == BirthDatePrecision.YEAR:
            person.birth_date = date(spec.born.year, 1, 1)
        else:
            person.birth_date = spec.born
        person.birth_date_best = best_birth_date(person)
        return person

    @transaction.atomic
    def write(self, batch: list[Spec]) -> None:
        rng = self.rng
        persons = [self._person(spec) for spec in batch]
        # Both backends return the new primary keys from bulk_create (RETURNING), which the rows below need.
        Person.objects.bulk_create(persons)
        names = [
            PersonName(
                person_id=person.pk,
                script=script,
                given=given,
                family=family,
                patronymic=patronymic,
                kind=kind,
                source=source,
            )
            for spec, person in zip(batch, persons, strict=True)
            for script, given, family, patronymic, kind, source in spec.names
        ]
        PersonName.objects.bulk_create(names)
        # One token per distinct folded word of each name, exactly as demo.builder writes them.
        tokens = [
            NameToken(person_id=n.person_id, name_id=n.pk, token=word[:100])
            for n in names
            for word in {w for part in (n.given, n.family, n.patronymic) for w in fold_tokens(part)}
        ]
        NameToken.objects.bulk_create(tokens)
        cases = [
            Case(
                number=f"BENCH-{self.counts['cases'] + index:07d}",
                person_id=person.pk,
                state=rng.choice(self.states),
                responsible_agency=self.agency,
                team=self.team if rng.random() < 0.5 else None,
            )
            for index, person in enumerate(persons, start=1)
        ]
        Case.objects.bulk_create(cases)
        presences = [
            Presence(
                person_id=person.pk,
                place=rng.choice(self.places),
                since=REFERENCE_DAY - timedelta(days=rng.randint(0, 2000)),
                source="Camp administration list",
            )
            for person in persons
        ]
        Presence.objects.bulk_create(presences)
        relationships = [
            Relationship(
                subject_id=persons[spec.mother].pk,
                object_id=person.pk,
                kind=RelationshipKind.MOTHER,
                basis=rng.choice(RelationshipBasis.values),
            )
            for spec, person in zip(batch, persons, strict=True)
            if spec.mother is not None
        ]
        Relationship.objects.bulk_create(relationships)
        for key, rows in (
            ("persons", persons),
            ("names", names),
            ("tokens", tokens),
            ("cases", cases),
            ("presences", presences),
            ("relationships", relationships),
        ):
            self.counts[key] += len(rows)


def build_reference() -> tuple[User, Agency, Team, list[Place]]:
    agency = Agency.objects.create(
        name="Benchmark Ministry of Social Protection", short_name="BMSP", kind=AgencyKind.SOCIAL_PROTECTION
    )
    team = Team.objects.create(agency=agency, name="Benchmark reintegration team")
    user = User(
        username="bench_supervisor",
        first_name="Bench",
        last_name="Supervisor",
        agency=agency,
        team=team,
        roles=[str(Role.SUPERVISOR)],
    )
    user.set_unusable_password()
    user.save()
    # Without an accepted NDA in force the policy shows nothing, and every search would be empty.
    nda = NdaVersion.objects.create(
        version="bench-1",
        title="Benchmark NDA",
        text="Benchmark only.",
        effective_from=timezone.now() - timedelta(days=1),
    )
    NdaAcceptance.objects.create(user=user, nda=nda)
    syria = Place.objects.create(kind=PlaceKind.COUNTRY, name="Syria", code="SY")
    kazakhstan = Place.objects.create(kind=PlaceKind.COUNTRY, name="Kazakhstan", code="KZ")
    places = [
        Place.objects.create(kind=PlaceKind.CAMP, name="al-Hol", parent=syria),
        Place.objects.create(kind=PlaceKind.CAMP, name="Roj", parent=syria),
        Place.objects.create(kind=PlaceKind.SETTLEMENT, name="Aktau", parent=kazakhstan),
        Place.objects.create(kind=PlaceKind.SETTLEMENT, name="Shymkent", parent=kazakhstan),
    ]
    return user, agency, team, places


def build(persons: int, batch_size: int, rng: random.Random) -> tuple[User, dict[str, int]]:
    user, agency, team, places = build_reference()
    builder = Builder(rng, agency, team, places)
    step = max(persons // 5, 1)
    next_report = step
    while builder.counts["persons"] < persons:
        builder.write(builder.specs(min(batch_size, persons - builder.counts["persons"])))
        if builder.counts["persons"] >= next_report and builder.counts["persons"] < persons:
            print(f"  ... {builder.counts['persons']:,} persons", flush=True)
            next_report += step
    return user, builder.counts


# --- queries -----------------------------------------------------------------------------------------------


def _stock_words() -> dict[str, list[str]]:
    """Every given and family name of the stock (masculine and feminine surnames), by script."""
    pairs = [*N.FEMALE_GIVEN, *N.MALE_GIVEN, *N.CHILD_FEMALE, *N.CHILD_MALE, *N.FAMILY]
    pairs += [(N.feminine(cyrillic), N.feminine(latin)) for cyrillic, latin in N.FAMILY]
    return {"cyrl": sorted({c for c, _ in pairs}), "latn": sorted({latin for _, latin in pairs})}


def make_queries(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, query) pairs, evenly spread over full word / 3-5 letter prefix and Latin / Cyrillic."""
    words = _stock_words()
    kinds = [("full", "latn"), ("full", "cyrl"), ("prefix", "latn"), ("prefix", "cyrl")]
    queries = []
    for i in range(count):
        form, script = kinds[i % len(kinds)]
        word = rng.choice(words[script])
        query = word if form == "full" else word[: rng.randint(3, min(5, len(word)))]
        queries.append((f"{form} {script}", query))
    rng.shuffle(queries)
    return queries


# --- measuring ---------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile: a value actually observed, never an interpolation."""
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


def fresh(user: User) -> User:
    # The policy caches the NDA check on the user object; a real request starts without it, so must each call.
    user.__dict__.pop("_zhusan_nda_ok", None)
    return user


@dataclass
class SearchSample:
    kind: str
    query: str
    ms: float
    cpu_ms: float  # CPU time of this process only: what other load on the machine cannot inflate
    results: int


def timed(call: Callable[[], Any]) -> tuple[Any, float, float]:
    """The call's result, its wall-clock time and this process's CPU time, both in ms."""
    started, started_cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000


def run_search(user: User, query: str) -> int:
    page = person_search(fresh(user), query=query)
    list(page.object_list)
    return page.paginator.count


def time_searches(user: User, queries: list[tuple[str, str]]) -> list[SearchSample]:
    for _, query in queries[:WARM_UP_CALLS]:  # opens the connection and fills caches: not what users wait for
        run_search(user, query)
    samples = []
    for kind, query in queries:
        results, ms, cpu_ms = timed(partial(run_search, user, query))
        samples.append(SearchSample(kind, query, ms, cpu_ms, results))
    return samples


def time_calls(call: Callable[[int], Any], ids: list[int]) -> list[float]:
    for pid in ids[:WARM_UP_CALLS]:
        call(pid)
    return [timed(partial(call, pid))[1] for pid in ids]


def signed_in_client(user: User) -> Client:
    """A client past every login step: password, second factor (as the project's conftest does) and NDA."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="Benchmark authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[OTP_AT_SESSION_KEY] = time.time()
    session.save()
    return client


def rendered_page(client: Client) -> Callable[[int], Any]:
    def get(pid: int) -> Any:
        response = client.get(f"/people/{pid}/")
        if response.status_code != 200:
            raise RuntimeError(f"/people/{pid}/ answered {response.status_code}, expected 200")
        return response

    return get


def queries_per_call(call: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def explain(user: User, query: str) -> None:
    """The plan of every SELECT one search runs (EXPLAIN ANALYZE on PostgreSQL, QUERY PLAN on SQLite)."""
    with CaptureQueriesContext(connection) as captured:
        run_search(user, query)
    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    for entry in captured.captured_queries:
        sql = entry["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or "people_person" not in sql:
            continue
        print(f"\n-- {entry['time']} s: {sql[:300]}{'...' if len(sql) > 300 else ''}")
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql)
            for row in cursor.fetchall():
                print("   ", " | ".join(str(column) for column in row))


# --- report ------------------------------------------------------------------------------------------------


def line(label: str, timings: Sequence[float], extra: str = "") -> str:
    median, p95 = statistics.median(timings), percentile(timings, 0.95)
    return f"  {label:<34} median {median:8.1f} ms   p95 {p95:8.1f} ms   n={len(timings)}{extra}"


def search_line(label: str, samples: Sequence[SearchSample]) -> str:
    mean_results = statistics.mean(s.results for s in samples)
    return line(label, [s.ms for s in samples], f"   mean results {mean_results:,.0f}")


@contextmanager
def stopwatch(label: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    print(f"{label}: {time.perf_counter() - started:.1f} s", flush=True)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000, help="persons to build (default 100000)")
    parser.add_argument("--queries", type=int, default=200, help="search queries to time (default 200)")
    parser.add_argument("--batch", type=int, default=5_000, help="persons per bulk insert batch (default 5000)")
    parser.add_argument("--seed", type=int, default=2025, help="random seed for data and queries")
    parser.add_argument(
        "--sqlite-file",
        metavar="PATH",
        help="SQLite only: build the test database in this file instead of in memory",
    )
    parser.add_argument("--explain", action="store_true", help="print the query plans of the slowest search")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    settings_dict = connection.settings_dict
    if args.sqlite_file and connection.vendor == "sqlite":
        settings_dict["TEST"]["NAME"] = args.sqlite_file
    real_name = settings_dict["NAME"]
    setup_test_environment()
    try:
        with stopwatch("test database created and migrated"):
            # serialize=False: no test case will need the initial contents restored.
            test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        print(f"engine: {settings_dict['ENGINE']}   database: {test_name}   (configured: {real_name})")
        version_sql = "SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version"
        with connection.cursor() as cursor:
            cursor.execute(version_sql)
            print(f"{connection.display_name} {cursor.fetchone()[0]}")
        return run(args)
    finally:
        # The connection is switched to the test database only once that exists: while it still names the
        # real one (creation failed early), destroying would drop the real database.
        if settings_dict["NAME"] != real_name:
            connection.creation.destroy_test_db(real_name, verbosity=0)
        teardown_test_environment()


def run(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    print(f"building {args.persons:,} persons in batches of {args.batch:,} (seed {args.seed})", flush=True)
    started = time.perf_counter()
    user, counts = build(args.persons, args.batch, rng)
    build_seconds = time.perf_counter() - started
    rows = "   ".join(f"{k} {v:,}" for k, v in counts.items())
    print(f"build: {build_seconds:.1f} s   {rows}", flush=True)
    if connection.vendor == "postgresql":
        # Autovacuum would gather planner statistics soon after a load this size; do it now rather than wait.
        with stopwatch("ANALYZE"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # Other work on the machine inflates wall-clock times: the load average says how much to trust them.
    load_before = os.getloadavg()[0]
    queries = make_queries(args.queries, random.Random(args.seed + 1))
    searches = time_searches(user, queries)
    search_ms = [s.ms for s in searches]

    family_ids = sorted(
        set(Relationship.objects.values_list("object_id", flat=True))
        | set(Relationship.objects.values_list("subject_id", flat=True))
    )
    sample_rng = random.Random(args.seed + 2)
    page_ids = sample_rng.sample(family_ids, min(PAGE_SAMPLES, len(family_ids)))
    view_ms = time_calls(lambda pid: person_view(fresh(user), pid), page_ids)
    client = signed_in_client(user)
    # The page goes through every URL, view and template of the project: while others are mid-change it may
    # fail to import or render, which should not throw away the figures already measured.
    rendered_ms: list[float] = []
    rendered_error = ""
    try:
        rendered_ms = time_calls(rendered_page(client), page_ids[:RENDERED_SAMPLES])
    except Exception as error:
        rendered_error = f"{type(error).__name__}: {error}"

    p95 = percentile(search_ms, 0.95)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print()
    print(f"== {connection.vendor}, {counts['persons']:,} persons, {counts['tokens']:,} name tokens ==")
    print(f"  build                              {build_seconds:8.1f} s")
    print(search_line("search (all queries)", searches))
    for kind in sorted({s.kind for s in searches}):
        print(search_line(f"  {kind}", [s for s in searches if s.kind == kind]))
    print(line("  CPU time of this process", [s.cpu_ms for s in searches]))
    print(line("person_view (selector)", view_ms))
    if rendered_ms:
        print(line("GET /people/<id>/ (rendered)", rendered_ms))
    else:
        print(f"  {'GET /people/<id>/ (rendered)':<34} FAILED: {rendered_error}")
    slowest = sorted(searches, key=lambda s: s.ms, reverse=True)[:3]
    print(
        "  slowest searches                   " + ", ".join(f"{s.query!r} {s.ms:.0f} ms/{s.results:,}" for s in slowest)
    )
    search_sql = queries_per_call(lambda: run_search(user, queries[0][1]))
    view_sql = queries_per_call(lambda: person_view(fresh(user), page_ids[0]))
    print(f"  SQL statements per call            search {search_sql}, person_view {view_sql}")
    print(f"  peak RSS                           {peak_mib:8.0f} MiB")
    load = f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after measuring"
    print(f"  load average (1 min)               {load}, {os.cpu_count()} CPUs")
    verdict = "target met" if p95 < TARGET_P95_SEARCH_MS else "target NOT met"
    print(f"  p95 search {p95:.1f} ms vs target {TARGET_P95_SEARCH_MS:.0f} ms: {verdict}")
    if args.explain:
        explain(user, slowest[0].query)
    return 0


if __name__ == "__main__":
    sys.exit(main())
