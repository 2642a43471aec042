"""Second factor: TOTP devices and one-time recovery codes, on top of django-otp (no TOTP written here).

A user reaches no personal data until they have a confirmed TOTP device and have used it in this session
(access.middleware.SecondFactorRequiredMiddleware). django-otp refuses a TOTP code used once already, and a
recovery code is deleted when used.
"""

import base64
import binascii
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditAction
from audit.services import audit_record

RECOVERY_CODES = 10
OTP_AT_SESSION_KEY = "zhusan_otp_at"


def has_second_factor(user: Any) -> bool:
    return bool(user.is_authenticated and user_has_device(user, confirmed=True))


def totp_secret_base32(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it (base32), from django-otp's hex key."""
    return base64.b32encode(binascii.unhexlify(device.key)).decode()


@transaction.atomic
def totp_device_start(user: Any) -> TOTPDevice:
    """A new, unconfirmed TOTP device; it counts only once the user proves it with a code."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=False)


@transaction.atomic
def totp_device_confirm(request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm a new device with a code from it; replace older devices and issue fresh recovery codes."""
    if not device.verify_token(token.strip()):
        return None
    user = device.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_renew(user)
    _mark_verified(request, device)
    audit_record(
        actor=user,
        action=AuditAction.UPDATE,
        obj=user,
        changes={"second_factor": ["***", "***"]},
        reason="Authenticator enrolled",
        request=request,
    )
    return codes


@transaction.atomic
def recovery_codes_renew(user: Any) -> list[str]:
    """Replace the user's recovery codes with new ones (each works once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name="Recovery codes", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_verify(request: HttpRequest, token: str) -> bool:
    """Check a TOTP code or a recovery code for the signed-in user; on success mark the session verified."""
    token = token.strip().replace(" ", "")
    if not token or len(token) > 32:
        return False
    user = request.user
    for device in list(TOTPDevice.objects.filter(user=user, confirmed=True)) + list(
        StaticDevice.objects.filter(user=user, confirmed=True)
    ):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            _mark_verified(request, device)
            return True
    audit_record(actor=user, action=AuditAction.LOGIN_FAILED, reason="Wrong second-factor code", request=request)
    return False


def _mark_verified(request: HttpRequest, device: Any) -> None:
    otp_login(request, device)
    request.session[OTP_AT_SESSION_KEY] = time.time()


def second_factor_is_recent(request: HttpRequest) -> bool:
    at = request.session.get(OTP_AT_SESSION_KEY)
    return at is not None and time.time() - float(at) <= settings.ZHUSAN_RECENT_OTP_SECONDS


def second_factor_code_valid(user: Any, code: str) -> bool:
    """For API calls on sensitive acts: a fresh code from the user's authenticator (or a recovery code)."""
    code = (code or "").strip().replace(" ", "")
    if not code or len(code) > 32:
        return False
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True)) + list(
        StaticDevice.objects.filter(user=user, confirmed=True)
    )
    return any(d.verify_is_allowed()[0] and d.verify_token(code) for d in devices)


def current_code(device: TOTPDevice) -> str:
    """The code the device's authenticator shows now (demo helper and tests; users read it from their phone)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"
