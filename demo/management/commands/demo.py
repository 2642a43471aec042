"""`manage.py demo`: load the demo data set once, then (every time) make sure the demo logins work.

Running it twice gives the same data, not twice the data. Passwords are made on the first run and kept in
var/demo-logins.json (outside the repository), so they stay the same across runs on one machine.
"""

import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from rest_framework.authtoken.models import Token

from access.models import User
from demo.builder import USERS, build_demo, demo_present


class Command(BaseCommand):
    help = "Load the demo data set (idempotent) and write the demo logins to var/demo-logins.json."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--logins-file", default=str(Path(settings.VAR_DIR) / "demo-logins.json"))
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_present():
            self.stdout.write("Demo data already loaded: nothing added.")
        else:
            build_demo()
            self.stdout.write(self.style.SUCCESS("Demo data set loaded."))
        logins = self._logins(Path(options["logins_file"]))
        if not options["quiet"]:
            self._print(logins)

    @transaction.atomic
    def _logins(self, path: Path) -> list[dict[str, Any]]:
        previous = {}
        if path.exists():
            previous = {row["username"]: row for row in json.loads(path.read_text())}
        logins = []
        for username, *_ in USERS:
            user = User.objects.select_related("agency").get(username=username)
            password = previous.get(username, {}).get("password") or secrets.token_urlsafe(12)
            if not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
            token, _ = Token.objects.get_or_create(user=user)
            logins.append(
                {
                    "username": username,
                    "password": password,
                    "roles": user.roles,
                    "agency": user.agency.name if user.agency else "",
                    "team": user.team.name if user.team else "",
                    "api_token": token.key,
                }
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(logins, indent=2, ensure_ascii=False))
        path.chmod(0o600)
        return logins

    def _print(self, logins: list[dict[str, Any]]) -> None:
        self.stdout.write("\nDemo logins (also in var/demo-logins.json) — http://127.0.0.1:8000/")
        self.stdout.write(f"{'username':<16} {'password':<18} {'role':<22} agency")
        for row in logins:
            self.stdout.write(
                f"{row['username']:<16} {row['password']:<18} {','.join(row['roles']):<22} {row['agency']}"
            )
        self.stdout.write("Try: log in as 'caseworker', accept the agreement, search 'Aigerim'.\n")
