"""Whole-year arithmetic on dates, shared by ages and family rules."""

from datetime import date


def years_between(born: date, on: date) -> int:
    """Completed years from `born` to `on` (negative if `on` is earlier)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def years_before(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February in a year without one
        return on.replace(year=on.year - years, day=28)
