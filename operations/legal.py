"""The legal class on the manifest: a "legal status" column, filled only for persons whose legal class the
user may view (`access.policy`), absent for everybody else. The assessments are the `reception` app's."""

from collections.abc import Iterable, Mapping
from typing import Any

from access.rules import DataClass
from reception.legal import legal_status_labels


def legal_statuses(
    user: Any, person_ids: Iterable[int], classes: Mapping[int, frozenset[DataClass]]
) -> dict[int, str] | None:
    """Legal status labels of the persons whose legal class the user may view; None when the column is absent."""
    allowed = [pid for pid in person_ids if DataClass.LEGAL in classes.get(pid, frozenset())]
    if not allowed:
        return None
    labels = legal_status_labels(allowed)
    return {pid: labels[pid] for pid in allowed if pid in labels}
