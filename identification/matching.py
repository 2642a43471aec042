"""Which existing persons a list row may be: the same or variant names in any script, a close date of birth.

Names are compared folded (people.transliteration), so "Aigerim Seitkazieva" meets "Айгерим Сейтказиева".
Candidates are first fetched through the folded name words (people.NameToken) sharing their first letters with
the row's words, among the persons the user may see only, then scored with rapidfuzz; a known date of birth on
both sides must fall within a year.
"""

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Q
from rapidfuzz import fuzz

from access import policy
from people.models import NameToken, Person
from people.transliteration import fold_tokens, prefix_upper_bound

PREFIX = 4  # letters of a word that must agree: variant endings (-ova / -ovna / -eva) still meet
MIN_SCORE = 80
MAX_CANDIDATES = 5


def _prefixes(folded: str) -> set[str]:
    return {word[:PREFIX] for word in folded.split() if len(word) >= 2}


def _prefix_q(prefixes: set[str]) -> Q:
    q = Q()
    for prefix in sorted(prefixes):
        bound = prefix_upper_bound(prefix)
        q |= Q(token__gte=prefix, token__lt=bound) if bound else Q(token__gte=prefix)
    return q


def _name_key(given: str, family: str) -> str:
    return " ".join(fold_tokens(f"{given} {family}"))


def _years_apart(born: str, best: date | None) -> int | None:
    if not born or best is None:
        return None
    return abs(int(born[:4]) - best.year)


def find_candidates(user: Any, rows: list[dict[str, Any]]) -> list[list[list[int]]]:
    """For each row (its parsed data), up to MAX_CANDIDATES [person id, score] pairs, best first.

    A fixed number of queries per call, whatever the number of rows: one for the name words, one for the persons
    and their names.
    """
    wanted = [_prefixes(r.get("folded", "")) for r in rows]
    all_prefixes = set().union(*wanted) if wanted else set()
    if not all_prefixes:
        return [[] for _ in rows]
    visible = policy.persons_visible_to(user).values("id")
    hits: dict[int, set[str]] = defaultdict(set)
    for person_id, token in (
        NameToken.objects.filter(_prefix_q(all_prefixes), person_id__in=visible)
        .values_list("person_id", "token")
        .order_by()
    ):
        hits[person_id].add(token[:PREFIX])
    # A person is worth scoring for a row when they share the first letters of two of its words (or its only one).
    shortlist: list[set[int]] = []
    for prefixes in wanted:
        need = min(2, len(prefixes))
        shortlist.append({pid for pid, got in hits.items() if need and len(prefixes & got) >= need})
    ids = set().union(*shortlist)
    persons = {p.pk: p for p in Person.objects.filter(pk__in=ids).prefetch_related("names")}
    keys = {pid: [_name_key(n.given, n.family) for n in p.names.all()] for pid, p in persons.items()}
    result: list[list[list[int]]] = []
    for row, pids in zip(rows, shortlist, strict=True):
        row_key = _name_key(row.get("given", ""), row.get("family", ""))
        scored = []
        for pid in pids:
            apart = _years_apart(row.get("birth_date", ""), persons[pid].birth_date_best)
            if apart is not None and apart > 1:
                continue
            score = max((fuzz.token_sort_ratio(row_key, key) for key in keys[pid]), default=0)
            if score >= MIN_SCORE:
                scored.append([pid, round(score)])
        scored.sort(key=lambda pair: (-pair[1], pair[0]))
        result.append(scored[:MAX_CANDIDATES])
    return result
