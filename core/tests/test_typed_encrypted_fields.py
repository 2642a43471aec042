"""Dates, numbers, yes/no and small JSON values encrypted at rest (core.crypto typed fields), on the growth and
medical records of reception: they read back as written, the columns hold only ciphertext, the database cannot
filter or order on them, and the migration encrypts rows written in clear before."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core import checks
from django.core.exceptions import FieldError, ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from access.models import User
from access.rules import Role
from casework.models import Case, CaseAssignment
from core.crypto import DecryptionError, EncryptedDateField, EncryptedDecimalField, attach_references
from core.tests.test_raw_dump import stored_columns
from reception import models as records
from reception.models import GrowthMeasurement, MedicalTest, Treatment
from reception.services import growth_measurement_record, medical_test_record, treatment_record


@pytest.fixture
def doctor_and_child(register: Callable[..., Case], make_user: Callable[..., User]) -> tuple[User, Any]:
    case = register(sex="M", born=date(2021, 4, 1))
    doctor = make_user(Role.MEDICAL_OFFICER)
    CaseAssignment.objects.create(case=case, user=doctor, purpose="Screening")
    return doctor, case.person


def _measure(doctor: User, child: Any, **values: Any) -> GrowthMeasurement:
    fields = {"measured_on": date(2023, 5, 2), "weight_kg": Decimal("11.4"), "height_cm": Decimal("88.25")}
    return growth_measurement_record(actor=doctor, person=child, position="H", **{**fields, **values})


def test_dates_numbers_and_classes_read_back_as_written_and_their_columns_hold_only_ciphertext(
    doctor_and_child: tuple[User, Any],
) -> None:
    doctor, child = doctor_and_child
    written = _measure(doctor, child, muac_cm=Decimal("12.0"), oedema=True)
    measurement = GrowthMeasurement.objects.get(pk=written.pk)

    assert measurement.measured_on == date(2023, 5, 2)
    assert measurement.weight_kg == Decimal("11.40") and str(measurement.weight_kg) == "11.40"  # the model's places
    assert measurement.height_cm == Decimal("88.2") or measurement.height_cm == Decimal("88.3")
    assert measurement.oedema is True and measurement.age_days == written.age_days == 761
    assert measurement.acute_malnutrition == written.acute_malnutrition and measurement.z_notes == written.z_notes
    assert measurement.whz is None and measurement.haz == pytest.approx(written.haz)  # oedema: no weight z-score
    names = ["measured_on", "weight_kg", "oedema", "age_days", "haz", "z_notes", "acute_malnutrition"]
    assert all(str(value).startswith("zhenc:v1:") for value in stored_columns(measurement, names).values())
    assert stored_columns(measurement, ["whz"]) == {"whz": None}  # empty stays NULL


def test_an_encrypted_date_or_number_cannot_be_filtered_ordered_or_updated_in_the_database(
    doctor_and_child: tuple[User, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    doctor, child = doctor_and_child
    _measure(doctor, child)
    with pytest.raises(ValueError, match="encrypted"):
        list(GrowthMeasurement.objects.filter(measured_on=date(2023, 5, 2)))
    with pytest.raises(FieldError):
        list(GrowthMeasurement.objects.filter(weight_kg__gte=10))
    with pytest.raises(ValueError, match="encrypted"):
        GrowthMeasurement.objects.update(weight_kg=Decimal("12.00"))
    monkeypatch.setattr(GrowthMeasurement._meta, "ordering", ["measured_on"])
    errors = GrowthMeasurement._meta.get_field("measured_on").check()
    assert [e.id for e in errors if isinstance(e, checks.Error)] == ["zhusan.E004"]


def test_a_number_copied_to_another_row_fails_to_decrypt(doctor_and_child: tuple[User, Any]) -> None:
    doctor, child = doctor_and_child
    first, second = _measure(doctor, child), _measure(doctor, child, weight_kg=Decimal("12.1"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {GrowthMeasurement._meta.db_table} SET weight_kg = %s WHERE id = %s",  # noqa: S608
            [stored_columns(first, ["weight_kg"])["weight_kg"], second.pk],
        )
    with pytest.raises(DecryptionError):
        _ = GrowthMeasurement.objects.get(pk=second.pk).weight_kg


def test_the_checks_of_the_model_still_hold_on_the_plain_values(doctor_and_child: tuple[User, Any]) -> None:
    doctor, child = doctor_and_child
    measurement = _measure(doctor, child)
    measurement.weight_kg = Decimal("1234.5")
    with pytest.raises(ValidationError) as error:
        measurement.full_clean()
    assert "weight_kg" in error.value.message_dict
    field = EncryptedDateField()
    assert field.to_python("2023-05-02") == date(2023, 5, 2)
    with pytest.raises(ValidationError):
        field.to_python("2 May 2023")
    assert EncryptedDecimalField(max_digits=4, decimal_places=1).to_python(12.25) in (Decimal("12.2"), Decimal("12.3"))


def test_a_test_kind_and_a_treatment_read_back_and_their_columns_hold_only_ciphertext(
    doctor_and_child: tuple[User, Any],
) -> None:
    doctor, child = doctor_and_child
    hiv, _ = records.TestKind.objects.get_or_create(code="hiv", defaults={"name": "HIV"})
    test = medical_test_record(actor=doctor, person=child, kind=hiv, taken_on=date(2023, 5, 3))
    treatment = treatment_record(
        actor=doctor, person=child, kind="referral", description="Feeding centre", on=date(2023, 5, 4), referred_to="X"
    )
    again = attach_references([MedicalTest.objects.get(pk=test.pk)], "kind")[0]
    assert again.kind == hiv and again.taken_on == date(2023, 5, 3) and again.result_on is None
    assert Treatment.objects.get(pk=treatment.pk).get_kind_display() == "Referral"
    assert str(stored_columns(test, ["kind_ref"])["kind_ref"]).startswith("zhenc:v1:")
    assert str(stored_columns(treatment, ["kind"])["kind"]).startswith("zhenc:v1:")


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_reception_rows_written_in_clear_and_reverses() -> None:
    executor = MigrationExecutor(connection)
    before = [("reception", "0002_seed_tests_and_vaccines"), ("people", "0006_identitydocument_scan")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = old.get_model("access", "User").objects.create(username="old_doctor")
    person = old.get_model("people", "Person").objects.create(sex="F", birth_date=date(2020, 1, 1))
    place = old.get_model("people", "Place").objects.create(kind="facility", name="Old quarantine")
    kind = old.get_model("reception", "TestKind").objects.get_or_create(code="tb", defaults={"name": "TB"})[0]
    common = {"person_id": person.pk, "recorded_by_id": user.pk}
    old.get_model("reception", "Quarantine").objects.create(
        starts_on=date(2022, 1, 2), ends_on=date(2022, 1, 20), place_id=place.pk, **common
    )
    old.get_model("reception", "MedicalTest").objects.create(kind_id=kind.pk, taken_on=date(2022, 1, 3), **common)
    old.get_model("reception", "Treatment").objects.create(
        kind="referral", description="", referred_to="Old clinic", on=date(2022, 1, 4), **common
    )
    old.get_model("reception", "GrowthMeasurement").objects.create(
        measured_on=date(2022, 1, 5), weight_kg=Decimal("9.5"), oedema=False, whz=-2.5, z_notes={"waz": "n"}, **common
    )

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    quarantine = records.Quarantine.objects.get()
    test = MedicalTest.objects.get()
    treatment = Treatment.objects.get()
    growth = GrowthMeasurement.objects.get()
    assert (quarantine.starts_on, quarantine.ends_on) == (date(2022, 1, 2), date(2022, 1, 20))
    assert quarantine.place.name == "Old quarantine"
    assert test.kind.code == "tb" and test.taken_on == date(2022, 1, 3)
    assert (treatment.kind, treatment.referred_to, treatment.on) == ("referral", "Old clinic", date(2022, 1, 4))
    assert (growth.measured_on, growth.weight_kg, growth.oedema) == (date(2022, 1, 5), Decimal("9.50"), False)
    assert (growth.whz, growth.z_notes, growth.muac_cm) == (-2.5, {"waz": "n"}, None)
    assert growth.row_uid is not None
    for row, names in (
        (quarantine, ["starts_on", "place_ref"]),
        (test, ["kind_ref"]),
        (growth, ["weight_kg", "oedema", "whz"]),
    ):
        assert all(str(v).startswith("zhenc:v1:") for v in stored_columns(row, names).values())

    # And back: the clear values and foreign keys return; "no" stays no on both databases (SQLite reads "false" as yes).
    executor.loader.build_graph()
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    assert old.get_model("reception", "MedicalTest").objects.get().kind_id == kind.pk
    assert old.get_model("reception", "Quarantine").objects.get().place_id == place.pk
    reverted = old.get_model("reception", "GrowthMeasurement").objects.get()
    assert (reverted.measured_on, reverted.weight_kg, reverted.oedema) == (date(2022, 1, 5), Decimal("9.5"), False)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_rotation_moves_dates_and_numbers_to_the_new_key_and_keeps_them_readable(
    use_keys: Callable[..., None], doctor_and_child: tuple[User, Any]
) -> None:
    doctor, child = doctor_and_child
    use_keys("k1")
    written = _measure(doctor, child, oedema=True)
    use_keys("k2", "k1")
    call_command("rotate_keys", stdout=StringIO())
    measurement = GrowthMeasurement.objects.get(pk=written.pk)
    names = ["measured_on", "weight_kg", "oedema", "age_days", "z_notes", "acute_malnutrition"]
    assert {str(v).split(":")[2] for v in stored_columns(measurement, names).values()} == {"k2"}
    assert (measurement.measured_on, measurement.weight_kg, measurement.oedema) == (
        date(2023, 5, 2),
        Decimal("11.40"),
        True,
    )
