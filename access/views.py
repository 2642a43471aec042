from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from access import policy
from access.models import NdaVersion, Script
from access.services import nda_accept, preferences_set
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
            changes={"username": [None, str(form.data.get("username", ""))[:150]]},
        )
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            audit_record(actor=request.user, action=AuditAction.LOGOUT, request=request)
        return super().post(request, *args, **kwargs)


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
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("dashboard")
        return redirect(target)
    return render(
        request,
        "access/nda.html",
        {
            "nda": current,
            "accepted": policy.has_accepted_current_nda(request.user),
        },
    )
