"""Better Auth's endpoints under `/api/auth/*`, kept so the desktop and web clients work unchanged.

These views speak Better Auth's dialect: errors are `{"code", "message"}`, tokens travel in the JSON
body, the `set-auth-token` header and the signed `agentpod.session_token` cookie.
"""

import unicodedata
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.api.exception_handler import api_exception_handler
from core.api.permissions import is_service

from .. import selectors, services, tokens
from ..authentication import COOKIE_NAMES, bearer_value, trusted_origins
from ..models import Session
from .serializers import (
    SignInInput,
    SignUpInput,
    SocialSignInInput,
    django_session_body,
    session_body,
    session_info_body,
    user_body,
)
from .throttling import AuthPathRateThrottle

COOKIE_NAME = "agentpod.session_token"
SOCIAL_PROVIDERS = {"github"}


# -- OpenAPI shapes (schema only: the views build these bodies with user_body/session_body) -----------------

class BetterAuthUserSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField()
    emailVerified = serializers.BooleanField()  # noqa: N815
    image = serializers.CharField(allow_null=True)
    createdAt = serializers.CharField(help_text="ISO 8601, UTC")  # noqa: N815
    updatedAt = serializers.CharField(help_text="ISO 8601, UTC")  # noqa: N815


class BetterAuthSessionInfoSerializer(serializers.Serializer):
    """A session as list-sessions names it: never its token."""

    id = serializers.CharField()
    userId = serializers.CharField()  # noqa: N815
    expiresAt = serializers.CharField(help_text="ISO 8601, UTC")  # noqa: N815
    createdAt = serializers.CharField(help_text="ISO 8601, UTC")  # noqa: N815
    updatedAt = serializers.CharField(help_text="ISO 8601, UTC")  # noqa: N815
    ipAddress = serializers.CharField(allow_null=True)  # noqa: N815
    userAgent = serializers.CharField(allow_null=True)  # noqa: N815


class BetterAuthSessionSerializer(BetterAuthSessionInfoSerializer):
    """The caller's own session. A Django session (`sessionid` cookie, `X-Session-Token`) has a null token
    (its key is never echoed) and null times, address and device (Django keeps none)."""

    token = serializers.CharField(allow_null=True, help_text="The Better Auth session token the caller sent")
    createdAt = serializers.CharField(allow_null=True, help_text="ISO 8601, UTC")  # noqa: N815
    updatedAt = serializers.CharField(allow_null=True, help_text="ISO 8601, UTC")  # noqa: N815


class SignUpResponse(serializers.Serializer):
    token = serializers.CharField(help_text="The session token; send it as `Authorization: Bearer <token>`.")
    user = BetterAuthUserSerializer()


class SignInResponse(SignUpResponse):
    redirect = serializers.BooleanField()
    url = serializers.CharField(required=False, help_text="The `callbackURL`, when one was given.")


class SessionAndUserSerializer(serializers.Serializer):
    session = BetterAuthSessionSerializer()
    user = BetterAuthUserSerializer()


class SocialSignInResponse(serializers.Serializer):
    url = serializers.CharField(help_text="Open it in the browser to start the provider's sign-in.")
    redirect = serializers.BooleanField()


class SignOutResponse(serializers.Serializer):
    success = serializers.BooleanField()


class OkSerializer(serializers.Serializer):
    ok = serializers.BooleanField()


class BetterAuthErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="UPPER_SNAKE, e.g. INVALID_EMAIL_OR_PASSWORD")
    message = serializers.CharField()


class RateLimitedSerializer(serializers.Serializer):
    message = serializers.CharField(help_text='"Too many requests. Please try again later."')


def better_auth_errors(**descriptions: str) -> dict:
    """Better Auth's error responses, `{"code", "message"}`, by status: `e401="..."`."""
    responses = {int(key[1:]): OpenApiResponse(BetterAuthErrorSerializer, description=text)
                 for key, text in descriptions.items()}
    if "e429" in descriptions:
        responses[429] = OpenApiResponse(RateLimitedSerializer, description=descriptions["e429"])
    return responses


RATE_LIMITED = "Too many attempts: `{\"message\"}` with `Retry-After` and `X-Retry-After` headers"
BAD_BODY = "`VALIDATION_ERROR` or `INVALID_REQUEST_BODY` (malformed JSON)"
BAD_ORIGIN = ("`MISSING_OR_NULL_ORIGIN` / `INVALID_ORIGIN` (a cookie-carrying request from an untrusted "
              "origin) or `INVALID_CALLBACKURL`")
SIGNED_IN = ("Signed in: the body carries the session token, the `set-auth-token` header its signed form, "
             "and the `agentpod.session_token` cookie is set")
# Every credential of a user's session: get-session and list-sessions accept them all, as every other
# endpoint does, and sign-out ends them all. The service token is no user's session.
USER_SESSION = [{"bearerSession": []}, {"sessionCookie": []}, {"cookieAuth": []}, {"XSessionTokenAuth": []}]
OPTIONAL_SESSION = [*USER_SESSION, {}]


class BetterAuthError(Exception):
    def __init__(self, code: str, message: str, status_code: int = 400):
        super().__init__(message)
        self.code, self.message, self.status_code = code, message, status_code


def better_auth_exception_handler(exc, context):
    if isinstance(exc, BetterAuthError):
        return Response({"code": exc.code, "message": exc.message}, status=exc.status_code)
    if isinstance(exc, exceptions.Throttled):
        response = Response({"message": "Too many requests. Please try again later."},
                            status=status.HTTP_429_TOO_MANY_REQUESTS)
        wait = str(max(1, round(exc.wait or 1)))
        response["Retry-After"] = wait
        response["X-Retry-After"] = wait
        return response
    if isinstance(exc, exceptions.ParseError):
        return Response({"code": "INVALID_REQUEST_BODY", "message": "Malformed JSON in request body"}, status=400)
    if isinstance(exc, exceptions.ValidationError):
        fields = ", ".join(sorted(exc.detail)) if isinstance(exc.detail, dict) else ""
        return Response({"code": "VALIDATION_ERROR", "message": f"Invalid body: {fields}".rstrip(": ")}, status=400)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return Response({"code": "METHOD_NOT_ALLOWED", "message": "Method not allowed"}, status=405)
    return api_exception_handler(exc, context)


class BetterAuthView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get_exception_handler(self):
        return better_auth_exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method == "POST" and request.META.get("HTTP_COOKIE"):
            check_origin(request)

    def current_session(self, request):
        value = bearer_value(request)
        if value:
            return services.session_resolve(value, allow_raw=True)
        cookie = next((request.COOKIES[n] for n in COOKIE_NAMES if request.COOKIES.get(n)), None)
        return services.session_resolve(cookie, allow_raw=False) if cookie else None


def check_origin(request) -> None:
    """Better Auth's origin check for cookie-carrying writes (it is what stops cross-site forgery)."""
    origin = request.META.get("HTTP_ORIGIN") or request.META.get("HTTP_REFERER")
    if not origin or origin == "null":
        raise BetterAuthError("MISSING_OR_NULL_ORIGIN", "Missing or null Origin", 403)
    parts = urlsplit(origin)
    if f"{parts.scheme}://{parts.netloc}" not in trusted_origins():
        raise BetterAuthError("INVALID_ORIGIN", "Invalid origin", 403)


def check_callback_url(url: str | None) -> str | None:
    """A path on this site (`/x`) or a URL on a configured origin; anything a browser could read as another
    site is refused. Browsers read `\\` as `/` and drop tabs and newlines, so `/\\evil.example` and
    `/<tab>/evil.example` mean `//evil.example`: a backslash or a control character is never accepted."""
    if not url:
        return None
    if "\\" in url or any(unicodedata.category(char)[0] == "C" for char in url):
        raise BetterAuthError("INVALID_CALLBACKURL", "Invalid callbackURL", 403)
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc and url.startswith("/") and not url.startswith("//"):
        return url
    if f"{parts.scheme}://{parts.netloc}" in trusted_origins():
        return url
    raise BetterAuthError("INVALID_CALLBACKURL", "Invalid callbackURL", 403)


def set_session_cookie(response, session) -> None:
    response.set_cookie(COOKIE_NAME, tokens.signed_value(session.token),
                        max_age=int(services.SESSION_LIFETIME.total_seconds()), path="/", httponly=True,
                        samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)


def signed_in_response(body: dict, session) -> Response:
    response = Response(body)
    response["set-auth-token"] = tokens.signed_value(session.token)
    set_session_cookie(response, session)
    return response


class SignUpEmailView(BetterAuthView):
    throttle_classes = [AuthPathRateThrottle]

    @extend_schema(summary="Sign up with email and password", request=SignUpInput, auth=[], responses={
        200: OpenApiResponse(SignUpResponse, description=SIGNED_IN),
        **better_auth_errors(e400=f"{BAD_BODY}, `INVALID_EMAIL`, `PASSWORD_TOO_SHORT`, `PASSWORD_TOO_LONG`",
                             e403=BAD_ORIGIN, e422="`USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL`", e429=RATE_LIMITED)})
    def post(self, request):
        data = SignUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        check_callback_url(data.validated_data.get("callbackURL"))
        try:
            user = services.user_sign_up(request=request, email=data.validated_data["email"],
                                         password=data.validated_data["password"], name=data.validated_data["name"],
                                         image=data.validated_data["image"])
        except services.SignUpError as error:
            raise BetterAuthError(error.code, error.message, error.status) from None
        session = services.session_issue(user=user, request=request)
        return signed_in_response({"token": session.token, "user": user_body(user)}, session)


class SignInEmailView(BetterAuthView):
    throttle_classes = [AuthPathRateThrottle]

    @extend_schema(summary="Sign in with email and password", request=SignInInput, auth=[], responses={
        200: OpenApiResponse(SignInResponse, description=SIGNED_IN),
        **better_auth_errors(e400=BAD_BODY, e401="`INVALID_EMAIL_OR_PASSWORD`", e403=BAD_ORIGIN,
                             e429=RATE_LIMITED)})
    def post(self, request):
        data = SignInInput(data=request.data)
        data.is_valid(raise_exception=True)
        callback = check_callback_url(data.validated_data.get("callbackURL"))
        user = services.user_authenticate(request=request, email=data.validated_data["email"],
                                          password=data.validated_data["password"])
        if user is None:
            raise BetterAuthError("INVALID_EMAIL_OR_PASSWORD", "Invalid email or password", 401)
        session = services.session_issue(user=user, request=request)
        body = {"redirect": bool(callback), "token": session.token, "user": user_body(user)}
        if callback:
            body["url"] = callback
        return signed_in_response(body, session)


class SignedInView(BetterAuthView):
    """Reads about the signed-in user accept the credentials every other endpoint accepts (`/api/account`
    included), Django's session and allauth's app token too, not only Better Auth's."""

    authentication_classes = api_settings.DEFAULT_AUTHENTICATION_CLASSES

    def signed_in_user(self, request):
        user = request.user
        return user if user.is_authenticated and not is_service(user) else None


class GetSessionView(SignedInView):
    @extend_schema(summary="The current session and its user", auth=OPTIONAL_SESSION, responses={
        200: OpenApiResponse(SessionAndUserSerializer,
                             description="The session and its user, or a literal `null` when not signed in")})
    def get(self, request):
        user = self.signed_in_user(request)
        if user is None:
            return JsonResponse(None, safe=False)  # Better Auth answers a literal `null`
        if isinstance(request.auth, Session):
            return Response({"session": session_body(request.auth), "user": user_body(user)})
        # allauth's app token authenticates with its own session; the `sessionid` cookie with the request's.
        django_session = request.auth if isinstance(request.auth, SessionBase) else request._request.session
        expires_at = selectors.django_session_expiry(session=django_session)
        body = django_session_body(user=user, session=django_session, expires_at=expires_at)
        return Response({"session": body, "user": user_body(user)})


class ListSessionsView(SignedInView):
    @extend_schema(summary="The signed-in user's unexpired sessions: devices and times, never tokens",
                   auth=USER_SESSION, responses={
                       200: BetterAuthSessionInfoSerializer(many=True),
                       **better_auth_errors(e401="`UNAUTHORIZED`: not signed in")})
    def get(self, request):
        user = self.signed_in_user(request)
        if user is None:
            raise BetterAuthError("UNAUTHORIZED", "Unauthorized", 401)
        sessions = user.auth_sessions.filter(expires_at__gt=timezone.now()).order_by("created_at")
        return Response([session_info_body(s) for s in sessions])


class SignOutView(BetterAuthView):
    """No DRF authentication: DRF's session class would demand a CSRF token, where Better Auth's clients
    rely on the origin check of `BetterAuthView`. The view ends whatever credentials the request carries."""

    @extend_schema(summary="Sign out: end every credential of the session, clear the cookies", request=None,
                   auth=OPTIONAL_SESSION, responses={
                       200: SignOutResponse, **better_auth_errors(e403=BAD_ORIGIN)})
    def post(self, request):
        services.user_sign_out(request=request._request, session=self.current_session(request))
        response = Response({"success": True})
        for name in COOKIE_NAMES:
            response.delete_cookie(name, path="/", samesite="Lax")
        return response


class OkView(BetterAuthView):
    @extend_schema(summary="Better Auth's liveness check", auth=[],
                   responses=OkSerializer)
    def get(self, request):
        return Response({"ok": True})


class SignInSocialView(BetterAuthView):
    throttle_classes = [AuthPathRateThrottle]

    @extend_schema(summary="Start a social sign-in (GitHub)", request=SocialSignInInput, auth=[], responses={
        200: SocialSignInResponse,
        **better_auth_errors(e400=BAD_BODY, e403=BAD_ORIGIN, e404="`PROVIDER_NOT_FOUND`", e429=RATE_LIMITED)})
    def post(self, request):
        data = SocialSignInInput(data=request.data)
        data.is_valid(raise_exception=True)
        provider = data.validated_data["provider"]
        if provider not in SOCIAL_PROVIDERS or not services.social_provider_configured(request=request,
                                                                                        provider=provider):
            raise BetterAuthError("PROVIDER_NOT_FOUND", "Provider not found", 404)
        callback = check_callback_url(data.validated_data.get("callbackURL")) or "/"
        start = reverse("better-auth-social-start", args=[provider]) + "?" + urlencode({"callbackURL": callback})
        return Response({"url": request.build_absolute_uri(start), "redirect": True})


def social_start(request, provider: str):
    """Step 1 in the browser: remember where to return, then hand over to allauth's provider flow."""
    if provider not in SOCIAL_PROVIDERS:
        return HttpResponseRedirect("/")
    try:
        callback = check_callback_url(request.GET.get("callbackURL")) or "/"
    except BetterAuthError:
        callback = "/"
    request.session["better_auth_callback"] = callback
    login = reverse(f"{provider}_login") + "?" + urlencode({
        "process": "login", "next": reverse("better-auth-social-complete")})
    return HttpResponseRedirect(login)


def social_complete(request):
    """Step 3: allauth signed the browser in; give it a Better Auth session cookie and send it back."""
    callback = request.session.pop("better_auth_callback", "/")
    if not request.user.is_authenticated:
        return HttpResponseRedirect(callback)
    session = services.session_issue(user=request.user, request=request)
    response = HttpResponseRedirect(callback)
    set_session_cookie(response, session)
    return response
