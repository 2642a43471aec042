"""`manage.py login_unlock <username> --by <administrator>`: lift a login lockout at once, audited."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from access.models import User
from access.throttling import login_unlock, login_unlock_address


class Command(BaseCommand):
    help = (
        "Lift the login lockout of an account (or, with --address, of a source address) by forgetting its failed "
        "logins. --by names the administrator doing it, who must hold manage_users; the audit log records them."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", nargs="?", help="The account to unlock.")
        parser.add_argument("--address", help="Unlock this source address instead of an account.")
        parser.add_argument("--by", required=True, help="Username of the administrator unlocking.")

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["username"]) == bool(options["address"]):
            raise CommandError("Give either a username or --address.")
        actor = User.objects.filter(username=options["by"], is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {options['by']!r}.")
        try:
            if options["address"]:
                failures = login_unlock_address(actor=actor, ip_address=options["address"])
            else:
                failures = login_unlock(actor=actor, username=options["username"])
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        target = options["address"] or options["username"]
        if failures:
            self.stdout.write(f"Unlocked {target}: {failures} failed logins forgotten.")
        else:
            self.stdout.write(f"{target} had no failed logins: nothing to unlock.")
