"""`manage.py administrators_bootstrap alice bob`: the first administrators of a new installation.

Prints each one's one-time enrolment path (append it to the site's address). Refused once any administrator
exists: from then on administrators add staff in the application, with four eyes (docs/decisions/0033).
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from access.staff import ENROLMENT_LINK_VALID, administrators_bootstrap


class Command(BaseCommand):
    help = "Create the first (at least two) system administrators and print their one-time enrolment links."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("usernames", nargs="+")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            keys = administrators_bootstrap(usernames=options["usernames"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for username, key in keys.items():
            self.stdout.write(f"{username}: {reverse('enrol', args=[key])}")
        self.stdout.write(f"Each link works once, for {ENROLMENT_LINK_VALID.days} days.")
