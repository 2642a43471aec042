"""`manage.py access_table`: the rule table of access/rules.py as Markdown, for docs/security.md."""

from typing import Any

from django.core.management.base import BaseCommand

from access.rules import RULES, Action, DataClass


def access_table_markdown() -> str:
    letters = {Action.VIEW: "v", Action.CHANGE: "c", Action.EXPORT: "e"}
    classes = list(DataClass)
    header = "| role | scope | " + " | ".join(c.value for c in classes) + " | capabilities |"
    lines = [header, "|" + " --- |" * (len(classes) + 3)]
    for role, rule in RULES.items():
        cells = ["".join(letters[a] for a in Action if a in rule.data.get(c, ())) or "–" for c in classes]
        caps = ", ".join(sorted(str(c) for c in rule.capabilities)) or "–"
        lines.append(f"| {role.value} | {rule.scope} | " + " | ".join(cells) + f" | {caps} |")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print the access rule table (role x data class x action, with scopes and capabilities) as Markdown."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(access_table_markdown())
