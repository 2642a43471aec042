import base64
import hashlib
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from access import policy
from access.decorators import recent_second_factor
from access.mfa import (
    has_second_factor,
    second_factor_is_recent,
    totp_device_confirm,
    totp_device_start,
    totp_secret_base32,
)
from access.mfa import second_factor_verify as second_factor_verify_code
from access.models import ApiToken, NdaVersion, Script, User
from access.services import nda_accept, preferences_set
from access.tokens import api_token_create, api_token_revoke, api_tokens_of
from audit.models import AuditAction
from audit.services import audit_record


class LoginView(auth_views.LoginView):
    template_name = "access/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(actor=self.request.user, action=AuditAction.LOGIN, request=self.request)
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        audit_record(
            actor=None,
            action=AuditAction.LOGIN_FAILED,
            request=self.request,
            changes={"username": [None, _typed_username(str(form.data.get("username", "")))]},
        )
        return super().form_invalid(form)


def _typed_username(typed: str) -> str:
    """The username as typed if such an account exists; otherwise only a digest, since people sometimes type
    their password into the username field and it must not reach the log."""
    typed = typed[:150]
    if User.objects.filter(username=typed).exists():
        return typed
    return "unknown:" + hashlib.sha256(typed.encode()).hexdigest()[:12]


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            audit_record(actor=request.user, action=AuditAction.LOGOUT, request=request)
        return super().post(request, *args, **kwargs)


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app, or a recovery code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}),
    )


def _next_or_dashboard(request: HttpRequest) -> str:
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("dashboard")


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request: HttpRequest) -> HttpResponse:
    if not has_second_factor(request.user):
        return redirect("second-factor-setup")
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if second_factor_verify_code(request, form.cleaned_data["code"]):
            return redirect(_next_or_dashboard(request))
        form.add_error("code", _("This code is not valid, or was used already."))
    return render(request, "access/second_factor_verify.html", {"form": form})


SETUP_DEVICE = "zhusan_setup_device"


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator. Replacing an existing one needs a fresh code from it first."""
    if has_second_factor(request.user) and not second_factor_is_recent(request):
        return redirect(f"{reverse('second-factor-verify')}?next={request.path}")
    device = TOTPDevice.objects.filter(pk=request.session.get(SETUP_DEVICE), user=request.user, confirmed=False).first()
    if device is None:
        device = totp_device_start(request.user)
        request.session[SETUP_DEVICE] = device.pk
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = totp_device_confirm(request, device, form.cleaned_data["code"])
        if codes is not None:
            request.session.pop(SETUP_DEVICE, None)
            return render(request, "access/recovery_codes.html", {"codes": codes, "next": _next_or_dashboard(request)})
        form.add_error("code", _("This code does not match: check the time on your phone and try again."))
    return render(
        request,
        "access/second_factor_setup.html",
        {
            "form": form,
            "secret": totp_secret_base32(device),
            "qr": _qr_svg(device.config_url),
        },
    )


def _qr_svg(text: str) -> str:
    """The enrolment QR code as an SVG data URI, drawn here: no outside service ever sees the secret."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


class PreferencesForm(forms.Form):
    preferred_script = forms.ChoiceField(
        label=_("Show names in this script where a person has one"), choices=Script.choices
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, initial={"preferred_script": request.user.preferred_script})  # type: ignore[union-attr]
    if request.method == "POST" and form.is_valid():
        preferences_set(user=request.user, preferred_script=form.cleaned_data["preferred_script"])
        messages.success(request, _("Preferences saved."))
        return redirect("preferences")
    return render(request, "access/preferences.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def nda(request: HttpRequest) -> HttpResponse:
    current = NdaVersion.current()
    if request.method == "POST" and current is not None and request.POST.get("accept") == current.version:
        nda_accept(user=request.user, nda=current)
        return redirect(_next_or_dashboard(request))
    return render(
        request,
        "access/nda.html",
        {
            "nda": current,
            "accepted": policy.has_accepted_current_nda(request.user),
        },
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, such as the script that will use it.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.ZHUSAN_API_TOKEN_MAX_DAYS  # read here, not at import, so the setting can change
        self.fields["days"] = forms.IntegerField(
            label=_("Lifetime in days"),
            min_value=1,
            max_value=limit,
            initial=limit,
            help_text=_("At most %(limit)d days.") % {"limit": limit},
        )


@recent_second_factor
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's own API tokens: list, make one (the key is shown on the answer to the POST, once), revoke."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, key = api_token_create(
                actor=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "access/api_token_created.html", {"token": token, "key": key})
    return render(request, "access/api_tokens.html", {"form": form, "tokens": api_tokens_of(request.user)})


@require_http_methods(["POST"])
def api_token_revoke_own(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke one of the user's own tokens; another user's token is not found, whoever asks."""
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect("api-tokens")
