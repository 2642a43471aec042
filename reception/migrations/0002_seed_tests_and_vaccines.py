"""Reference data: screening tests and a WHO-style childhood schedule. Data, not code: the programme edits them
in the admin (another state's programme replaces the schedule with its own)."""

from typing import Any

from django.db import migrations

TEST_KINDS = [
    ("tuberculosis", "Tuberculosis (Mantoux / IGRA)", "Туберкулёз (Манту / IGRA)"),
    ("hepatitis-b", "Hepatitis B (HBsAg)", "Гепатит B (HBsAg)"),
    ("hepatitis-c", "Hepatitis C (anti-HCV)", "Гепатит C (анти-HCV)"),
    ("hiv", "HIV", "ВИЧ"),
    ("measles-igg", "Measles IgG", "Корь IgG"),
    ("intestinal-parasites", "Intestinal parasites", "Кишечные паразиты"),
]

# code, name, Russian name, not given after (months), doses: (number, recommended months, minimum age days,
# minimum interval days since the previous dose)
VACCINES = [
    ("bcg", "BCG", "БЦЖ", 72, [(1, 0, 0, 0)]),
    ("hepb", "Hepatitis B", "Гепатит B", None, [(1, 0, 0, 0), (2, 2, 28, 28), (3, 6, 168, 56)]),
    ("polio", "Polio (IPV/OPV)", "Полиомиелит (ИПВ/ОПВ)", None, [(1, 2, 42, 0), (2, 3, 70, 28), (3, 4, 98, 28), (4, 18, 365, 180)]),
    ("dtp", "Diphtheria, tetanus, pertussis", "Дифтерия, столбняк, коклюш", None, [(1, 2, 42, 0), (2, 3, 70, 28), (3, 4, 98, 28), (4, 18, 365, 180)]),
    ("hib", "Haemophilus influenzae type b", "Гемофильная инфекция типа b", 59, [(1, 2, 42, 0), (2, 3, 70, 28), (3, 4, 98, 28)]),
    ("pcv", "Pneumococcal conjugate", "Пневмококковая конъюгированная", 59, [(1, 2, 42, 0), (2, 4, 98, 56), (3, 12, 365, 56)]),
    ("mmr", "Measles, mumps, rubella", "Корь, паротит, краснуха", None, [(1, 12, 270, 0), (2, 72, 393, 28)]),
]


def seed(apps: Any, schema_editor: Any) -> None:
    TestKind = apps.get_model("reception", "TestKind")
    Vaccine = apps.get_model("reception", "Vaccine")
    VaccineDose = apps.get_model("reception", "VaccineDose")
    for code, name, ru in TEST_KINDS:
        TestKind.objects.get_or_create(code=code, defaults={"name": name, "names": {"ru": ru}})
    for code, name, ru, max_months, doses in VACCINES:
        vaccine, created = Vaccine.objects.get_or_create(
            code=code, defaults={"name": name, "names": {"ru": ru}, "maximum_age_months": max_months}
        )
        if created:
            VaccineDose.objects.bulk_create(
                VaccineDose(
                    vaccine=vaccine,
                    number=number,
                    recommended_age_months=months,
                    minimum_age_days=min_days,
                    minimum_interval_days=interval,
                )
                for number, months, min_days, interval in doses
            )


class Migration(migrations.Migration):
    dependencies = [("reception", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
