"""`manage.py demo_code <username>`: the current TOTP code of a demo user, for trying the demo without a phone."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from access.mfa import current_code


class Command(BaseCommand):
    help = "Print the current second-factor code of a user (development and demo only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Not available in production: codes come from each user's own authenticator.")
        device = TOTPDevice.objects.filter(user__username=options["username"], confirmed=True).first()
        if device is None:
            raise CommandError(f"No authenticator for {options['username']!r}.")
        self.stdout.write(current_code(device))
