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
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.mfa import recovery_codes_renew, totp_secret_base32
from access.models import ApiToken, User
from access.tokens import _hash, api_token_create
from demo.builder import USERS, build_demo, demo_present, demo_staff_top_up


class Command(BaseCommand):
    help = "Load the demo data set (idempotent) and write the demo logins to var/demo-logins.json."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--logins-file", default=str(Path(settings.VAR_DIR) / "demo-logins.json"))
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_present():
            demo_staff_top_up()
            self.stdout.write("Demo data already loaded: nothing added but logins of roles added since.")
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
            user = User.objects.select_related("agency").filter(username=username).first()
            if user is None:  # a demo loaded before this user was added to it: `make demo` on a fresh database
                continue
            password = previous.get(username, {}).get("password") or secrets.token_urlsafe(12)
            if not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
            logins.append(
                {
                    "username": username,
                    "password": password,
                    "totp_secret": totp_secret_base32(device),
                    "otpauth_uri": device.config_url,
                    "recovery_codes": self._recovery_codes(user),
                    "roles": user.roles,
                    "agency": user.agency.name if user.agency else "",
                    "team": user.team.name if user.team else "",
                    "api_token": self._api_key(user, previous.get(username, {}).get("api_token", "")),
                }
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(logins, indent=2, ensure_ascii=False))
        path.chmod(0o600)
        return logins

    def _recovery_codes(self, user: User) -> list[str]:
        """The user's unused recovery codes, topped up when fewer than three are left."""
        device = StaticDevice.objects.filter(user=user).first()
        codes = list(device.token_set.values_list("token", flat=True)) if device else []
        return codes if len(codes) >= 3 else recovery_codes_renew(user)

    def _api_key(self, user: User, previous_key: str) -> str:
        """Keep the key from the last run while its token is usable; only its hash is in the database."""
        if previous_key:
            token = ApiToken.objects.filter(user=user, key_hash=_hash(previous_key)).first()
            if token is not None and token.is_usable:
                return previous_key
        _, key = api_token_create(actor=user, name="Demo token", days=settings.ZHUSAN_API_TOKEN_MAX_DAYS)
        return key

    def _print(self, logins: list[dict[str, Any]]) -> None:
        self.stdout.write("\nDemo logins (also in var/demo-logins.json) — http://127.0.0.1:8000/")
        self.stdout.write(f"{'username':<16} {'password':<18} {'recovery code':<16} {'role':<22} agency")
        for row in logins:
            code = row["recovery_codes"][0] if row["recovery_codes"] else "-"
            self.stdout.write(
                f"{row['username']:<16} {row['password']:<18} {code:<16} {','.join(row['roles']):<22} {row['agency']}"
            )
        self.stdout.write(
            "Second factor: add a user's totp_secret from var/demo-logins.json to an authenticator app, or print\n"
            "the current code with `.venv/bin/python manage.py demo_code caseworker`, or use a recovery code (once).\n"
            "Try: log in as 'caseworker', give the code, accept the agreement, search 'Aigerim'.\n"
        )
