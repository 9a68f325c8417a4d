"""DRF authentication classes, one per credential, in the order the API tries them.

1. `BearerSessionAuthentication`: `Authorization: Bearer <Better Auth session token>` (raw or signed).
2. `SessionCookieAuthentication`: the signed `agentpod.session_token` cookie of browser clients.
3. DRF's `SessionAuthentication`: Django's own session (admin, allauth pages), with CSRF.
4. allauth's `XSessionTokenAuthentication`: headless app clients.
5. `ServiceTokenAuthentication`: `Authorization: Bearer $API_TOKEN`, the containers' principal.

The bearer header carries either a session token or the service token, so classes 1 and 5 return
None (not a failure) for a value that is not theirs; with no class accepting, the permission check
answers 401. Class 1 defines `authenticate_header`, which keeps DRF from turning 401 into 403.
"""

import hmac

from django.conf import settings
from rest_framework import authentication, exceptions

from core.api.permissions import ServicePrincipal

from . import services

COOKIE_NAMES = ("agentpod.session_token", "__Secure-agentpod.session_token")


def bearer_value(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Bearer "):
        return None
    return header[len("Bearer "):].strip() or None


class BearerSessionAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        value = bearer_value(request)
        if value is None:
            return None
        session = services.session_resolve(value, allow_raw=True)
        return (session.user, session) if session else None

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class SessionCookieAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        value = next((request.COOKIES[name] for name in COOKIE_NAMES if request.COOKIES.get(name)), None)
        if value is None:
            return None
        session = services.session_resolve(value, allow_raw=False)
        if session is None:
            return None
        # A cookie rides along with cross-site requests: writes must come from a trusted origin.
        origin = request.META.get("HTTP_ORIGIN")
        if request.method not in ("GET", "HEAD", "OPTIONS") and origin and origin not in trusted_origins():
            raise exceptions.AuthenticationFailed("Untrusted origin")
        return (session.user, session)


class ServiceTokenAuthentication(authentication.BaseAuthentication):
    """Exists only when API_TOKEN is set: there is no built-in token (DECISIONS 4)."""

    def authenticate(self, request):
        expected = settings.API_TOKEN
        value = bearer_value(request)
        if not expected or value is None:
            return None
        if hmac.compare_digest(value.encode(), expected.encode()):
            return (ServicePrincipal(), "service")
        return None


def trusted_origins() -> list[str]:
    return settings.CORS_ALLOWED_ORIGINS
