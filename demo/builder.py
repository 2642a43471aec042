"""Builds the demo data set: the 2019 operation's 595 returnees in families, people still in camps and prisons,
relatives at home, agencies, one user per role and the assignments that make the access rules visible.

Deterministic: the same random seed and fixed dates give the same data on every machine. Written with bulk
inserts (a few thousand rows) rather than the services, and recorded as one audit entry.
"""

import importlib
import itertools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from access.models import Agency, AgencyKind, NdaVersion, Team, User
from access.rules import Role
from audit.models import AuditAction
from audit.services import audit_record
from casework.models import Case, CaseAssignment, CaseEvent, CaseEventKind
from casework.transitions import CaseState
from demo import names as N
from people.family import best_birth_date
from people.models import (
    BirthDatePrecision,
    CitizenshipStatus,
    DocumentStatus,
    DocumentType,
    IdentityDocument,
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
    VitalStatus,
)
from people.transliteration import fold_tokens

SEED = 2019
# The programme apps' own demo records, in this order (each builds on the ones before).
PROGRAMME_SEEDS = ("identification", "consent", "operations", "reception", "centres", "consular")
# The four stages of the operation, January to June 2019. The source document gives only the months and the
# totals, so families are spread over the four dates in turn; the second number is a rough planned size.
WAVES = [(date(2019, 1, 6), 47), (date(2019, 5, 9), 231), (date(2019, 5, 29), 79), (date(2019, 6, 10), 238)]
WOMEN, MEN, CHILDREN, ORPHANS = 156, 33, 406, 31
REFUSED_WOMEN = 6
DEMO_MARKER_AGENCY = "Ministry of Foreign Affairs"

AGENCIES = [
    ("Ministry of Foreign Affairs", "MFA", AgencyKind.FOREIGN_MINISTRY),
    ("National Security Committee", "NSC", AgencyKind.SECURITY_SERVICE),
    ("Ministry of Health", "MoH", AgencyKind.HEALTH),
    ("Ministry of Labour and Social Protection", "MLSP", AgencyKind.SOCIAL_PROTECTION),
    ("Aktau Rehabilitation and Adaptation Centre", "Aktau Centre", AgencyKind.REHABILITATION_CENTRE),
    ('Public Foundation "Pravo"', "Pravo", AgencyKind.NGO),
    ("Specialised Inter-District Court", "Court", AgencyKind.COURT),
    ("Centre for Forensic Expertise", "Forensics", AgencyKind.FORENSIC_LABORATORY),
    ("Civil Registry Office", "Registry", AgencyKind.CIVIL_REGISTRY),
    ("Bureau of National Statistics", "Statistics", AgencyKind.STATISTICS_OFFICE),
    ("Programme Audit Office", "Audit", AgencyKind.AUDIT),
]
# username, first, last, agency short name, team, roles
USERS = [
    ("registrar", "Dana", "Field", "MFA", "Consular mission team", [Role.FIELD_REGISTRAR]),
    ("caseworker", "Saule", "Caseworker", "MLSP", "Mangystau reintegration team", [Role.CASEWORKER]),
    ("caseworker_ngo", "Aliya", "Pravo", "Pravo", "Nur-Sultan team", [Role.CASEWORKER]),
    ("supervisor", "Marat", "Supervisor", "MLSP", "Mangystau reintegration team", [Role.SUPERVISOR]),
    ("manager", "Gulnara", "Manager", "MLSP", None, [Role.AGENCY_MANAGER]),
    ("dpo", "Aizhan", "Privacy", "MLSP", None, [Role.DATA_PROTECTION_OFFICER]),
    ("doctor", "Askar", "Doctor", "MoH", None, [Role.MEDICAL_OFFICER]),
    ("psychologist", "Indira", "Psychologist", "Aktau Centre", None, [Role.PSYCHOLOGIST]),
    ("lawyer", "Yerlan", "Legal", "NSC", None, [Role.LEGAL_OFFICER]),
    ("lab", "Timur", "Analyst", "Forensics", None, [Role.LAB_ANALYST]),
    ("registry", "Assel", "Registry", "Registry", None, [Role.REGISTRY_OFFICER]),
    ("statistician", "Nurlan", "Statistician", "Statistics", None, [Role.STATISTICIAN]),
    ("auditor", "Zhanar", "Auditor", "Audit", None, [Role.AUDITOR]),
    ("admin", "System", "Administrator", "MFA", None, [Role.SYSTEM_ADMINISTRATOR]),
    # A second administrator, so that four eyes (granting data roles, resetting a second factor) can be shown.
    ("admin2", "Second", "Administrator", "MFA", None, [Role.SYSTEM_ADMINISTRATOR]),
]

NDA_TEXT = (
    "I will not disclose any information about returnees, their families or their cases that I learn in my work "
    "with the programme, to anyone not entitled to it, during and after my work.\n"
    "I will use the system only for the tasks assigned to me, and I know that every view and change is recorded."
)


@dataclass
class Draft:
    """A person before insertion, with what will hang off them."""

    person: Person
    names: list[PersonName] = field(default_factory=list)
    presences: list[tuple[str, date, date | None, str]] = field(default_factory=list)
    case: dict | None = None
    documents: list[IdentityDocument] = field(default_factory=list)


class DemoBuilder:
    def __init__(self) -> None:
        # A reproducible demo, not a secret: the standard generator is the right tool.
        self.rng = random.Random(SEED)  # nosec B311
        self.drafts: list[Draft] = []
        self.links: list[tuple[Draft, Draft, str, str]] = []
        self.places: dict[str, Place] = {}
        self.agencies: dict[str, Agency] = {}
        self.teams: dict[str, Team] = {}
        self.users: dict[str, User] = {}
        self.family_no = 0

    # --- reference data -------------------------------------------------------------------------------------

    def reference_data(self) -> None:
        for name, short, kind in AGENCIES:
            self.agencies[short] = Agency.objects.create(name=name, short_name=short, kind=kind)
        for short, team in {(u[3], u[4]) for u in USERS if u[4]}:
            self.teams[team] = Team.objects.create(agency=self.agencies[short], name=team)
        NdaVersion.objects.create(
            version="2019-1",
            title="Non-disclosure of personal secrets of returnees",
            text=NDA_TEXT,
            effective_from=timezone.make_aware(datetime(2019, 1, 1)),
        )
        p = self._place
        kz, sy, iq, tr = (
            p("country", "Kazakhstan", code="KZ", ru="Казахстан", ar="كازاخستان"),
            p("country", "Syria", code="SY", ru="Сирия", ar="سوريا"),
            p("country", "Iraq", code="IQ", ru="Ирак", ar="العراق"),
            p("country", "Turkey", code="TR", ru="Турция", ar="تركيا"),
        )
        p("camp", "al-Hol", parent=sy, ru="Аль-Холь", ar="الهول")
        p("camp", "Roj", parent=sy, ru="Рож", ar="روج")
        p("camp", "Ain Issa", parent=sy, ru="Айн-Иса", ar="عين عيسى")
        p(
            "prison",
            "Baghdad central prison",
            parent=iq,
            ru="Центральная тюрьма Багдада",
            ar="سجن بغداد المركزي",
        )
        p("settlement", "Raqqa", parent=sy, ru="Ракка", ar="الرقة")
        p("settlement", "Mosul", parent=iq, ru="Мосул", ar="الموصل")
        p("consulate", "Consulate General in Istanbul", parent=tr, ru="Генеральное консульство в Стамбуле")
        regions = {
            "Mangystau": ("Мангистауская область", ["Aktau", "Zhanaozen"]),
            "Almaty": ("Алматы", ["Almaty"]),
            "Aktobe": ("Актюбинская область", ["Aktobe"]),
            "Karaganda": ("Карагандинская область", ["Karaganda", "Temirtau"]),
            "Turkestan": ("Туркестанская область", ["Shymkent", "Kentau"]),
            "Zhambyl": ("Жамбылская область", ["Taraz"]),
            "West Kazakhstan": ("Западно-Казахстанская область", ["Uralsk"]),
            "Atyrau": ("Атырауская область", ["Atyrau"]),
        }
        for region, (ru, towns) in regions.items():
            r = p("region", region, parent=kz, ru=ru)
            for town in towns:
                p("settlement", town, parent=r)
        p(
            "facility",
            "Aktau rehabilitation and adaptation centre",
            parent=self.places["Aktau"],
            ru="Центр реабилитации и адаптации, Актау",
        )
        self.home_towns = [t for _, (_, towns) in regions.items() for t in towns]

    def _place(self, kind: str, name: str, parent: Place | None = None, code: str = "", **names: str) -> Place:
        place = Place.objects.create(kind=PlaceKind(kind), name=name, parent=parent, code=code, names=names)
        self.places[name] = place
        return place

    def staff(self) -> None:
        for username, first, last, agency, team, roles in USERS:
            existing = User.objects.filter(username=username).first()
            if existing is not None:  # topping up a demo loaded before a login was added (demo_staff_top_up)
                self.users[username] = existing
                continue
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                agency=self.agencies[agency],
                team=self.teams.get(team) if team else None,
                roles=[str(r) for r in roles],
                preferred_script="cyrl" if username in ("registry",) else "latn",
            )
            user.set_unusable_password()
            user.save()
            self.users[username] = user

    # --- persons --------------------------------------------------------------------------------------------

    def _person(self, sex: str, born: date | None, precision: str = BirthDatePrecision.DAY, **fields) -> Draft:
        person = Person(
            sex=sex,
            birth_date=born,
            birth_date_precision=precision,
            citizenship_status=fields.pop("citizenship", CitizenshipStatus.CITIZEN),
            **fields,
        )
        if precision == BirthDatePrecision.YEAR and born:
            person.birth_date = date(born.year, 1, 1)
        if precision == BirthDatePrecision.ESTIMATED and born:
            estimate_on = fields.get("age_estimated_on") or date(2019, 3, 1)
            age = max(0, estimate_on.year - born.year)
            person.birth_date = None
            person.estimated_age_min, person.estimated_age_max = max(0, age - 1), age + 1
            person.age_estimated_on = estimate_on
        person.birth_date_best = best_birth_date(person)
        draft = Draft(person=person)
        self.drafts.append(draft)
        return draft

    def _name(
        self,
        draft: Draft,
        script: str,
        given: str,
        family: str = "",
        kind: str = NameKind.REGISTERED,
        source: str = "",
        patronymic: str = "",
    ) -> None:
        draft.names.append(
            PersonName(script=script, given=given, family=family, patronymic=patronymic, kind=kind, source=source)
        )

    def _birth(self, on: date, age: int) -> date:
        return on - timedelta(days=365 * age + self.rng.randint(0, 364))

    def _adult(
        self,
        sex: str,
        on: date,
        surname: tuple[str, str],
        given: tuple[str, str] | None = None,
        latin: bool = True,
        alias: bool = False,
    ) -> Draft:
        age = self.rng.randint(19, 45) if sex == Sex.FEMALE else self.rng.randint(21, 50)
        precision = BirthDatePrecision.DAY if self.rng.random() < 0.85 else BirthDatePrecision.YEAR
        draft = self._person(
            sex,
            self._birth(on, age),
            precision,
            birth_place_actual=self.places[self.rng.choice(self.home_towns)],
        )
        draft.person.birth_place_registered = draft.person.birth_place_actual
        stock = N.FEMALE_GIVEN if sex == Sex.FEMALE else N.MALE_GIVEN
        given = given or self.rng.choice(stock)
        family = (N.feminine(surname[0]), N.feminine(surname[1])) if sex == Sex.FEMALE else surname
        self._name(draft, "cyrl", given[0], family[0], NameKind.REGISTERED, "Civil registry")
        if latin:
            self._name(draft, "latn", given[1], family[1], NameKind.DECLARED, "Interview in camp")
        if alias:
            aliases = N.ARABIC_ALIASES_FEMALE if sex == Sex.FEMALE else N.ARABIC_ALIASES_MALE
            self._name(draft, "arab", self.rng.choice(aliases), "", NameKind.ALIAS, "Camp administration list")
        if self.rng.random() < 0.6:
            status = self.rng.choice([DocumentStatus.LOST, DocumentStatus.CONFISCATED, DocumentStatus.EXPIRED])
            draft.documents.append(
                IdentityDocument(
                    doc_type=DocumentType.PASSPORT,
                    number=f"N{self.rng.randint(10**7, 10**8 - 1)}",
                    issuing_state=self.places["Kazakhstan"],
                    issued_on=date(2012, 1, 1) + timedelta(days=self.rng.randint(0, 900)),
                    status=status,
                )
            )
        return draft

    def _child(self, on: date, mother_age: int, surname: tuple[str, str], orphan: bool = False) -> Draft:
        age = self.rng.randint(0, max(0, min(17, mother_age - 16)))
        born = self._birth(on, age)
        abroad = born.year >= 2014
        sex = self.rng.choice([Sex.FEMALE, Sex.MALE])
        if abroad:
            country = "Iraq" if self.rng.random() < 0.15 else "Syria"
            actual = self.places["Mosul" if country == "Iraq" else "Raqqa"]
            precision = self.rng.choice([BirthDatePrecision.YEAR, BirthDatePrecision.ESTIMATED, BirthDatePrecision.DAY])
            # The programme lets the mother choose the registered place of birth; some keep Syria.
            registered = actual if self.rng.random() < 0.3 else self.places[self.rng.choice(self.home_towns)]
            draft = self._person(
                sex,
                born,
                precision,
                birth_place_actual=actual,
                birth_place_registered=registered,
                citizenship=CitizenshipStatus.CLAIMED if orphan else CitizenshipStatus.CITIZEN,
            )
        else:
            town = self.places[self.rng.choice(self.home_towns)]
            draft = self._person(
                sex, born, BirthDatePrecision.DAY, birth_place_actual=town, birth_place_registered=town
            )
        given = self.rng.choice(N.CHILD_FEMALE if sex == Sex.FEMALE else N.CHILD_MALE)
        family = (N.feminine(surname[0]), N.feminine(surname[1])) if sex == Sex.FEMALE else surname
        kind = NameKind.CHOSEN_BY_MOTHER if abroad and not orphan else NameKind.REGISTERED
        self._name(draft, "cyrl", given[0], family[0], kind, "Mother's statement" if abroad else "Civil registry")
        if self.rng.random() < 0.5:
            self._name(draft, "latn", given[1], family[1], NameKind.DECLARED, "Camp list")
        if abroad:
            draft.documents.append(
                IdentityDocument(
                    doc_type=DocumentType.BIRTH_CERTIFICATE, number="", status=DocumentStatus.TO_BE_RESTORED
                )
            )
        return draft

    def _link(self, subject: Draft, obj: Draft, kind: str, basis: str = RelationshipBasis.DECLARED) -> None:
        self.links.append((subject, obj, kind, basis))

    def _evacuated_case(self, draft: Draft, on: date, state: str, parent: Draft | None, team: str) -> None:
        camp = self.rng.choice(["al-Hol", "al-Hol", "Roj"])
        home = self.places[self.rng.choice(self.home_towns)].name if not parent else None
        draft.presences.append(
            (
                camp,
                date(2018, 3, 1) + timedelta(days=self.rng.randint(0, 200)),
                on,
                "Camp administration list",
            )
        )
        centre_until = on + timedelta(days=30)
        draft.presences.append(("Aktau rehabilitation and adaptation centre", on, centre_until, "Centre register"))
        draft.case = {"state": state, "evacuated_on": on, "parent": parent, "team": team, "home": home}

    def families(self) -> None:
        """156 women, 33 men and 406 children (31 orphans) evacuated in four waves, with relatives at home."""
        rng = self.rng
        children_with_mother = CHILDREN - ORPHANS - 3  # Aigerim's three are added separately
        counts = [rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4, 5]) for _ in range(WOMEN - 1)]
        while sum(counts) != children_with_mother:
            i = rng.randrange(len(counts))
            if sum(counts) < children_with_mother and counts[i] < 7:
                counts[i] += 1
            elif sum(counts) > children_with_mother and counts[i] > 0:
                counts[i] -= 1
        wave_dates = [w for w, size in WAVES]
        husbands = 25
        for index, n_children in enumerate(counts):
            on = wave_dates[index % len(wave_dates)]
            surname = rng.choice(N.FAMILY)
            team = "Mangystau reintegration team" if index % 2 == 0 else "Nur-Sultan team"
            mother = self._adult(Sex.FEMALE, on, surname, alias=rng.random() < 0.2, latin=rng.random() < 0.8)
            state = rng.choice(
                [
                    CaseState.CLOSED,
                    CaseState.FOLLOW_UP,
                    CaseState.FOLLOW_UP,
                    CaseState.IN_LOCAL_PROGRAMME,
                    CaseState.RELOCATED,
                ]
            )
            self._evacuated_case(mother, on, state, None, team)
            mother_age = on.year - (mother.person.birth_date or on).year
            if index < husbands:
                father = self._adult(Sex.MALE, on, surname, alias=rng.random() < 0.3)
                self._evacuated_case(father, on, CaseState.RECEIVED, None, team)
                self._link(father, mother, RelationshipKind.SPOUSE)
            else:
                father = None
            for _ in range(n_children):
                child = self._child(on, mother_age, surname)
                self._evacuated_case(child, on, state, mother, team)
                self._link(mother, child, RelationshipKind.MOTHER)
                if father:
                    self._link(father, child, RelationshipKind.FATHER)
            if rng.random() < 0.35:
                self._relative_at_home(mother)
        self._aigerim()
        for _ in range(MEN - husbands):
            on = rng.choice(wave_dates)
            man = self._adult(Sex.MALE, on, rng.choice(N.FAMILY), alias=rng.random() < 0.5)
            self._evacuated_case(man, on, CaseState.RECEIVED, None, "Mangystau reintegration team")
        self._orphans(wave_dates)

    def _relative_at_home(self, of: Draft, kind: str = RelationshipKind.MOTHER) -> Draft:
        """A parent (or grandparent) of `of` living at home, reachable through `of`'s case."""
        surname = self.rng.choice(N.FAMILY)
        sex = Sex.FEMALE if kind != RelationshipKind.FATHER and self.rng.random() < 0.8 else Sex.MALE
        if kind in (RelationshipKind.MOTHER, RelationshipKind.FATHER):
            kind = RelationshipKind.MOTHER if sex == Sex.FEMALE else RelationshipKind.FATHER
        generations = 2 if kind == RelationshipKind.GRANDPARENT else 1
        reference = of.person.birth_date_best or date(1990, 1, 1)
        born = reference - timedelta(days=365 * generations * self.rng.randint(21, 30))
        draft = self._person(sex, born, BirthDatePrecision.DAY)
        given = self.rng.choice(N.FEMALE_GIVEN if sex == Sex.FEMALE else N.MALE_GIVEN)
        family = N.feminine(surname[0]) if sex == Sex.FEMALE else surname[0]
        self._name(draft, "cyrl", given[0], family, NameKind.REGISTERED, "Civil registry")
        town = self.rng.choice(self.home_towns)
        draft.presences.append((town, date(2000, 1, 1), None, "Relative's request to the ministry"))
        draft.person.phone = (
            f"+7 70{self.rng.randint(0, 9)} {self.rng.randint(100, 999)} {self.rng.randint(1000, 9999)}"
        )
        draft.person.address = f"{town}, {self.rng.randint(1, 40)} microdistrict, house {self.rng.randint(1, 90)}"
        self._link(draft, of, kind, RelationshipBasis.DOCUMENTED)
        return draft

    def _aigerim(self) -> None:
        """The woman registered only in Cyrillic as Айгерим, with three children: the newcomer's walkthrough."""
        on = WAVES[1][0]
        mother = self._person(
            Sex.FEMALE,
            date(1991, 4, 17),
            BirthDatePrecision.DAY,
            birth_place_actual=self.places["Aktau"],
            birth_place_registered=self.places["Aktau"],
        )
        self._name(
            mother,
            "cyrl",
            "Айгерим",
            "Сейтказиева",
            NameKind.REGISTERED,
            "Civil registry",
            patronymic="Нурлановна",
        )
        self._evacuated_case(mother, on, CaseState.IN_LOCAL_PROGRAMME, None, "Mangystau reintegration team")
        mother.case["home"] = "Aktau"  # type: ignore[index]
        self.aigerim = mother
        children = [
            ("Амина", Sex.FEMALE, date(2012, 9, 2), "Aktau"),
            ("Юсуф", Sex.MALE, date(2015, 6, 1), "Raqqa"),
            ("Марьям", Sex.FEMALE, date(2017, 11, 20), "Raqqa"),
        ]
        for given, sex, born, place in children:
            abroad = place == "Raqqa"
            child = self._person(
                sex,
                born,
                BirthDatePrecision.YEAR if abroad else BirthDatePrecision.DAY,
                birth_place_actual=self.places[place],
                birth_place_registered=self.places["Aktau"],
            )
            family = "Сейтказиева" if sex == Sex.FEMALE else "Сейтказиев"
            self._name(
                child,
                "cyrl",
                given,
                family,
                NameKind.CHOSEN_BY_MOTHER if abroad else NameKind.REGISTERED,
                "Mother's statement",
            )
            self._evacuated_case(child, on, CaseState.IN_LOCAL_PROGRAMME, mother, "Mangystau reintegration team")
            self._link(
                mother,
                child,
                RelationshipKind.MOTHER,
                RelationshipBasis.DNA_CONFIRMED if abroad else RelationshipBasis.DOCUMENTED,
            )
        grandmother = self._relative_at_home(mother)
        mother.case["home"] = grandmother.presences[0][0]  # type: ignore[index]

    def _orphans(self, wave_dates: list[date]) -> None:
        """31 children neither of whose parents is known to be alive, in sibling groups, some with a grandparent."""
        remaining = ORPHANS
        group_no = 0
        while remaining:
            size = min(remaining, self.rng.choice([1, 1, 2, 2, 3]))
            remaining -= size
            on = wave_dates[group_no % len(wave_dates)]
            surname = self.rng.choice(N.FAMILY)
            team = "Mangystau reintegration team" if group_no % 2 == 0 else "Nur-Sultan team"
            mother = None
            if group_no % 2 == 0:  # a mother known to have died in Syria
                mother = self._person(
                    Sex.FEMALE, self._birth(on, 30), BirthDatePrecision.YEAR, vital_status=VitalStatus.DEAD
                )
                self._name(
                    mother,
                    "cyrl",
                    self.rng.choice(N.FEMALE_GIVEN)[0],
                    N.feminine(surname[0]),
                    NameKind.DECLARED,
                    "Statement of other camp residents",
                )
            if group_no % 3 == 0:  # a father recorded missing
                father = self._person(
                    Sex.MALE, self._birth(on, 35), BirthDatePrecision.YEAR, vital_status=VitalStatus.MISSING
                )
                self._name(
                    father,
                    "cyrl",
                    self.rng.choice(N.MALE_GIVEN)[0],
                    surname[0],
                    NameKind.DECLARED,
                    "Statement of other camp residents",
                )
            else:
                father = None
            siblings: list[Draft] = []
            for _ in range(size):
                child = self._child(on, 30, surname, orphan=True)
                self._evacuated_case(child, on, CaseState.FOLLOW_UP, None, team)
                for parent, kind in ((mother, RelationshipKind.MOTHER), (father, RelationshipKind.FATHER)):
                    if parent:
                        self._link(parent, child, kind)
                for sibling in siblings:
                    self._link(sibling, child, RelationshipKind.SIBLING)
                siblings.append(child)
            if self.rng.random() < 0.6:
                grandmother = self._relative_at_home(siblings[0], RelationshipKind.GRANDPARENT)
                for child in siblings:
                    self._link(
                        grandmother,
                        child,
                        RelationshipKind.LEGAL_GUARDIAN,
                        RelationshipBasis.COURT_ESTABLISHED,
                    )
                    if child is not siblings[0]:
                        self._link(grandmother, child, RelationshipKind.GRANDPARENT, RelationshipBasis.DOCUMENTED)
                    child.case["home"] = grandmother.presences[0][0]  # type: ignore[index]
            group_no += 1

    def still_abroad(self) -> None:
        """People identified in camps and prisons but not (yet) returned, and six women who refused."""
        identified_on = date(2019, 3, 1)
        for index in range(26):
            surname = self.rng.choice(N.FAMILY)
            camp = "al-Hol" if index % 3 else "Roj"
            mother = self._adult(Sex.FEMALE, identified_on, surname, alias=self.rng.random() < 0.4)
            if index < REFUSED_WOMEN:
                state = CaseState.REFUSED
            else:
                state = CaseState.CONSENT_PENDING if index % 2 else CaseState.IDENTIFIED
            mother.presences.append((camp, date(2018, 1, 1), None, "Mission to the camp"))
            mother.case = {
                "state": state,
                "evacuated_on": None,
                "parent": None,
                "team": "Consular mission team",
                "home": None,
            }
            mother_age = identified_on.year - (mother.person.birth_date or identified_on).year
            for _ in range(self.rng.choice([0, 1, 2, 3])):
                child = self._child(identified_on, mother_age, surname)
                child.presences.append((camp, date(2018, 1, 1), None, "Mission to the camp"))
                child.case = {
                    "state": state,
                    "evacuated_on": None,
                    "parent": mother,
                    "team": "Consular mission team",
                    "home": None,
                }
                self._link(mother, child, RelationshipKind.MOTHER)
        for _ in range(3):  # women with children held in Iraq
            surname = self.rng.choice(N.FAMILY)
            mother = self._adult(Sex.FEMALE, identified_on, surname)
            mother.presences.append(("Baghdad central prison", date(2017, 9, 1), None, "Partner authority list"))
            mother.case = {
                "state": CaseState.IDENTIFIED,
                "evacuated_on": None,
                "parent": None,
                "team": "Consular mission team",
                "home": None,
            }

    # --- writing ---------------------------------------------------------------------------------------------

    def write(self) -> None:
        Person.objects.bulk_create([d.person for d in self.drafts])
        names = []
        for draft in self.drafts:
            for name in draft.names:
                name.person = draft.person
                names.append(name)
        PersonName.objects.bulk_create(names)
        NameToken.objects.bulk_create(
            NameToken(person_id=n.person_id, name=n, token=word[:100])
            for n in names
            for word in {w for part in (n.given, n.family, n.patronymic) for w in fold_tokens(part)}
        )
        documents = []
        for draft in self.drafts:
            for document in draft.documents:
                document.person = draft.person
                documents.append(document)
        IdentityDocument.objects.bulk_create(documents)
        Relationship.objects.bulk_create(
            Relationship(subject=s.person, object=o.person, kind=k, basis=b) for s, o, k, b in self.links
        )
        presences = []
        for draft in self.drafts:
            stays = list(draft.presences)
            if (
                draft.case
                and draft.case["evacuated_on"]
                and draft.case["state"] not in (CaseState.RECEIVED, CaseState.IN_CENTRE)
            ):
                parent = draft.case["parent"]
                home = draft.case["home"] or (parent.case["home"] if parent else None)
                home = str(home or self.rng.choice(self.home_towns))
                draft.case["home"] = home
                arrived_home = stays[-1][2] or draft.case["evacuated_on"]
                stays.append((home, arrived_home, None, "Relocation decision"))
            for place, since, until, source in stays:
                presences.append(
                    Presence(person=draft.person, place=self.places[place], since=since, until=until, source=source)
                )
        Presence.objects.bulk_create(presences)
        self._write_cases()

    def _write_cases(self) -> None:
        number = 0
        for parents_first in (True, False):
            cases = []
            for draft in self.drafts:
                spec = draft.case
                if spec is None or (spec["parent"] is None) != parents_first:
                    continue
                number += 1
                team = self.teams[spec["team"]]
                caseworker = {
                    "Mangystau reintegration team": "caseworker",
                    "Nur-Sultan team": "caseworker_ngo",
                    "Consular mission team": "registrar",
                }[spec["team"]]
                opened = timezone.make_aware(datetime.combine(date(2018, 11, 1) + timedelta(days=number % 90), time(9)))
                case = Case(
                    number=f"ZH-2019-{number:05d}",
                    person=draft.person,
                    state=spec["state"],
                    responsible_agency=team.agency,
                    team=team,
                    caseworker=self.users[caseworker],
                    supervisor=self.users["supervisor"] if team.agency.short_name == "MLSP" else None,
                    parent_case=spec["parent"].case_obj if spec["parent"] else None,
                    evacuated_on=spec["evacuated_on"],
                    opened_at=opened,
                    state_changed_at=opened,
                )
                draft.case_obj = case  # type: ignore[attr-defined]
                cases.append(case)
            Case.objects.bulk_create(cases)
        self._write_timelines()
        self._write_assignments()

    def _write_timelines(self) -> None:
        path = [
            CaseState.IDENTIFIED,
            CaseState.CONSENT_PENDING,
            CaseState.CONSENTED,
            CaseState.EVACUATED,
            CaseState.RECEIVED,
            CaseState.IN_CENTRE,
            CaseState.RELOCATED,
            CaseState.IN_LOCAL_PROGRAMME,
            CaseState.FOLLOW_UP,
            CaseState.CLOSED,
        ]
        events = []
        updates = []
        for draft in self.drafts:
            case = getattr(draft, "case_obj", None)
            if case is None:
                continue
            actor = case.caseworker
            at = case.opened_at
            events.append(
                CaseEvent(
                    case=case,
                    at=at,
                    actor=actor,
                    kind=CaseEventKind.OPENED,
                    to_state=CaseState.IDENTIFIED,
                    summary="Case opened",
                )
            )
            steps = (
                path[: path.index(case.state) + 1]
                if case.state in path
                else [CaseState.IDENTIFIED, CaseState.CONSENT_PENDING, CaseState.REFUSED]
            )
            for source, target in itertools.pairwise(steps):
                if target == CaseState.EVACUATED and case.evacuated_on:
                    at = timezone.make_aware(datetime.combine(case.evacuated_on, time(6)))
                else:
                    at = at + timedelta(days=self.rng.randint(3, 40))
                reason = "Refused to return during the mission's interview" if target == CaseState.REFUSED else ""
                if target == CaseState.CLOSED:
                    reason = "Reintegration goals met; follow-up completed"
                events.append(
                    CaseEvent(
                        case=case,
                        at=at,
                        actor=actor,
                        kind=CaseEventKind.TRANSITION,
                        from_state=source,
                        to_state=target,
                        summary=str(CaseState(target).label),
                        reason=reason,
                    )
                )
            case.state_changed_at = at
            updates.append(case)
        CaseEvent.objects.bulk_create(events)
        Case.objects.bulk_update(updates, ["state_changed_at"])

    def _write_assignments(self) -> None:
        aigerim_family = [self.aigerim] + [d for s, d, k, _ in self.links if s is self.aigerim and k == "mother"]
        mangystau = [
            d
            for d in self.drafts
            if d.case and hasattr(d, "case_obj") and d.case["team"] == "Mangystau reintegration team"
        ]
        assignments: list[tuple[str, Draft, str]] = []
        for draft in aigerim_family + mangystau[:20]:
            assignments.append(("doctor", draft, "Medical screening and follow-up"))
        for draft in aigerim_family + mangystau[20:30]:
            assignments.append(("psychologist", draft, "Psychological support"))
        for draft in self.drafts:
            case = getattr(draft, "case_obj", None)
            if case and draft.person.sex == Sex.MALE and case.parent_case_id is None and case.evacuated_on:
                adult = draft.person.birth_date and draft.person.birth_date.year < 2000
                if adult:
                    assignments.append(("lawyer", draft, "Legal assessment"))
        orphans = [
            d
            for d in self.drafts
            if getattr(d, "case_obj", None)
            and d.case["parent"] is None  # type: ignore[index]
            and d.person.citizenship_status == CitizenshipStatus.CLAIMED
        ]
        for draft in orphans:
            assignments.append(("lab", draft, "Kinship examination ordered by the court"))
        for draft in aigerim_family[1:] + orphans[:10]:
            assignments.append(("registry", draft, "Birth registration of a child born abroad"))
        CaseAssignment.objects.bulk_create(
            CaseAssignment(case=d.case_obj, user=self.users[u], purpose=p, assigned_by=self.users["supervisor"])  # type: ignore[attr-defined]
            for u, d, p in assignments
        )


def demo_present() -> bool:
    return Agency.objects.filter(name=DEMO_MARKER_AGENCY).exists()


@transaction.atomic
def demo_staff_top_up() -> None:
    """Add the logins of USERS a demo loaded by an older version lacks (a role added since), nothing else."""
    builder = DemoBuilder()
    builder.agencies = {a.short_name: a for a in Agency.objects.all()}
    builder.teams = {t.name: t for t in Team.objects.all()}
    builder.staff()


@transaction.atomic
def build_demo(programme: bool = True) -> dict[str, User]:
    """The whole demo; `programme=False` stops after the registry (a seed's own tests run the seed themselves)."""
    builder = DemoBuilder()
    builder.reference_data()
    builder.staff()
    builder.families()
    builder.still_abroad()
    builder.write()
    # The programme's own records, app by app, on top of the registry (each seed is deterministic).
    for app in PROGRAMME_SEEDS if programme else ():  # imported here: the seeds read this module's constants
        importlib.import_module(f"{app}.demo").seed(builder.users)
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        reason="Demo data set loaded",
        changes={"persons": [None, len(builder.drafts)]},
    )
    return builder.users
