from django import template

from reception.growth import REASONS
from reception.models import GrowthMeasurement

register = template.Library()


@register.simple_tag
def zscore(measurement: GrowthMeasurement, indicator: str) -> str:
    """The z-score to two decimals, or why there is none (translated)."""
    value = getattr(measurement, indicator)
    if value is not None:
        return f"{value:+.2f}"
    reason = measurement.z_notes.get(indicator, "")
    return f"— ({REASONS[reason]})" if reason in REASONS else "—"
