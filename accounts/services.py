"""Sign-up, sign-in and Better Auth sessions: the business rules behind `/api/auth/*` and the API's
authentication classes. Views and authentication classes only call these functions.
"""

from __future__ import annotations

from datetime import timedelta

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from django.contrib.auth import authenticate, get_user
from django.contrib.auth import logout as django_logout
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.activity import activity_report
from core.http import client_ip
from core.ids import session_token
from core.user_data import user_data_parts

from . import session_cache, tokens
from .models import Account, Session, User, normalize_email

SESSION_LIFETIME = timedelta(days=7)
SESSION_UPDATE_AGE = timedelta(days=1)
CREDENTIAL_PROVIDER = "credential"


class SignUpError(Exception):
    """A sign-up refused for a reason with a stable Better Auth error code."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


_PASSWORD_ERROR_CODES = {
    "password_too_short": ("PASSWORD_TOO_SHORT", "Password too short"),
    "password_too_long": ("PASSWORD_TOO_LONG", "Password too long"),
}


# -- users ---------------------------------------------------------------------------------------

def user_sign_up(*, request, email: str, password: str, name: str, image: str | None = None) -> User:
    """Create a user with an e-mail and password, validated by allauth's and Django's rules."""
    email = normalize_email(email or "")
    try:
        validate_email(email)
        get_adapter(request).clean_email(email)
    except ValidationError:
        raise SignUpError("INVALID_EMAIL", "Invalid email") from None
    candidate = User(email=email, name=name or "")
    try:
        get_adapter(request).clean_password(password or "", user=candidate)
    except ValidationError as error:
        code = next((e.code for e in error.error_list if e.code in _PASSWORD_ERROR_CODES), None)
        better_auth_code, message = _PASSWORD_ERROR_CODES.get(code, ("INVALID_PASSWORD", " ".join(error.messages)))
        raise SignUpError(better_auth_code, message) from None
    if User.objects.filter(email=email).exists():
        raise SignUpError("USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email.", 422)
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, name=name or "", image=image)
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
            # The mirrored `credential` account says "this user has a password"; the hash itself
            # lives in user.password, where Django's hashers manage and upgrade it.
            Account.objects.create(user=user, provider_id=CREDENTIAL_PROVIDER, account_id=user.id)
    except IntegrityError:
        raise SignUpError("USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email.",
                          422) from None
    return user


def user_authenticate(*, request, email: str, password: str) -> User | None:
    """Check an e-mail and password through Django's backends (a legacy hash is upgraded on success)."""
    if not email or not password:
        return None
    user = authenticate(request, email=normalize_email(email), password=password)
    return user if user is not None and user.is_active else None


# -- Better Auth sessions -------------------------------------------------------------------------

def session_issue(*, user: User, request) -> Session:
    session = Session.objects.create(
        user=user, token=session_token(), expires_at=timezone.now() + SESSION_LIFETIME,
        ip_address=client_ip(request) or "", user_agent=request.META.get("HTTP_USER_AGENT", ""),
    )
    activity_report(action="auth.login", user=user, entity_type="user", entity_id=user.id, request=request)
    return session


def session_resolve(credential: str, *, allow_raw: bool) -> Session | None:
    """The unexpired session a bearer value or cookie designates, with its user: kept in memory a short
    while (session_cache), else one indexed query."""
    token = tokens.token_from_credential(credential, allow_raw=allow_raw)
    if not token:
        return None
    session = session_cache.get(token)
    if session is None or session.is_expired:
        read_at = session_cache.sessions.generation
        session = (Session.objects.select_related("user")
                   .filter(token=token, expires_at__gt=timezone.now(), user__is_active=True).first())
        if session is None:
            return None
        session_cache.put(session, read_at=read_at)
    session_refresh(session)
    return session


def session_refresh(session: Session) -> None:
    """Better Auth's sliding expiry: at most once a day, push the expiry to now + 7 days."""
    now = timezone.now()
    if session.expires_at - SESSION_LIFETIME + SESSION_UPDATE_AGE <= now:
        session.expires_at = now + SESSION_LIFETIME
        Session.objects.filter(pk=session.pk).update(expires_at=session.expires_at, updated_at=now)
        session_cache.forget_token(session.token)


def user_sign_out(*, request, session: Session | None) -> None:
    """End every credential the request carries, so that none of them works afterwards: the Better Auth
    `session`, the Django session of the `sessionid` cookie (allauth's sign-in form, GitHub, the admin) and
    the allauth app session of an `X-Session-Token`. One `auth.logout` for the user they belonged to.

    `request` is Django's HttpRequest (the sessions and the user live on it), not DRF's.
    """
    user = session.user if session is not None else None
    if session is not None:
        Session.objects.filter(pk=session.pk).delete()
    browser_user = get_user(request)
    if browser_user.is_authenticated:
        request.user = browser_user  # logout() tells user_logged_out receivers who left
        django_logout(request)
        user = user or browser_user
    app = XSessionTokenAuthentication().authenticate(request)
    if app is not None:
        app_user, app_session = app
        app_session.flush()
        user = user or app_user
    if user is not None:
        activity_report(action="auth.logout", user=user, entity_type="user", entity_id=user.id,
                        request=request)


# -- linked accounts ------------------------------------------------------------------------------

def social_provider_configured(*, request, provider: str) -> bool:
    """Whether the server has an OAuth app for `provider` (settings or the admin's social apps)."""
    return bool(get_social_adapter(request).list_apps(request, provider=provider))


def account_link_social(*, user: User, provider: str, uid: str, access_token: str | None,
                        scope: str | None) -> Account:
    """Keep the mirrored `account` table in step with allauth's social accounts."""
    account, _ = Account.objects.update_or_create(
        provider_id=provider, account_id=str(uid),
        defaults={"user": user, "access_token": access_token, "scope": scope},
    )
    return account


def user_for_legacy_social_account(*, provider: str, uid: str) -> User | None:
    """The user an imported Better Auth account (e.g. GitHub) belongs to."""
    account = Account.objects.select_related("user").filter(provider_id=provider, account_id=str(uid)).first()
    return account.user if account else None


# -- account deletion -------------------------------------------------------------------------------

CONFIRM_PHRASE = "DELETE MY ACCOUNT"


def user_delete(*, user: User, delete_containers: bool = True, delete_repositories: bool = True,
                request=None) -> dict:
    """Delete an account as the old server did, in its order (api-contract 2.6).

    Each app's part (`core.user_data`) runs in its order: first what lives outside the database
    (containers: a failure is reported, not fatal), then, in one transaction, each app's rows (activity
    is anonymised and kept), and the user's own rows; the database cascades the rest.
    """
    result = {"sandboxesDeleted": 0, "chatSessionsArchived": 0, "activityLogsAnonymized": 0,
              "preferencesDeleted": False, "userDeleted": False, "errors": [],
              "deleteContainers": delete_containers, "deleteRepositories": delete_repositories}
    parts = user_data_parts()
    for part in parts:
        if part.release:
            part.release(user, result)
    with transaction.atomic():
        for part in parts:
            if part.delete:
                part.delete(user, result)
        Session.objects.filter(user=user).delete()
        Account.objects.filter(user=user).delete()
        user.delete()
        result["userDeleted"] = True
    del result["deleteContainers"], result["deleteRepositories"]
    return result
