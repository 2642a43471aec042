from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, serializers
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from access.mfa import second_factor_code_valid
from access.policy import has_accepted_current_nda
from access.tokens import api_token_lookup


class HasAcceptedNda(BasePermission):
    """Every API call needs a signed-in user who has accepted the current non-disclosure agreement."""

    message = _("Accept the current non-disclosure agreement before using the API.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated and has_accepted_current_nda(request.user))


class HashedTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>` with a personal token stored as a SHA-256 hash (access.ApiToken)."""

    keyword = "Token"

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Give the token after the word Token, with no spaces in it."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = api_token_lookup(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return self.keyword


class HashedTokenScheme(OpenApiAuthenticationExtension):
    """Describes personal tokens in the OpenAPI schema: `Authorization: Token <key>`."""

    target_class = "access.api.HashedTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal token its owner made on their API tokens page, as `Token <key>`.",
        }


class SecondFactorSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=32, help_text="A current code from the caller's authenticator.")


def require_fresh_code(request: Any) -> None:
    """Sensitive API acts (bulk or subject exports) need a fresh second-factor code, as the pages ask for one."""
    payload = SecondFactorSerializer(data=request.data)
    payload.is_valid(raise_exception=True)
    if not second_factor_code_valid(request.user, payload.validated_data["code"]):
        raise exceptions.PermissionDenied(_("A valid, unused second-factor code is needed for this."))
