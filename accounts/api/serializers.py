"""Better Auth's JSON shapes for users and sessions (reference-responses 9-16)."""

from datetime import datetime

from django.contrib.sessions.backends.base import SessionBase
from django.utils.crypto import salted_hmac
from rest_framework import serializers

from core.serializers import iso_datetime

from ..models import Session, User


def user_body(user: User) -> dict:
    return {
        "id": user.id, "name": user.name, "email": user.email, "emailVerified": user.email_verified,
        "image": user.image, "createdAt": iso_datetime(user.created_at), "updatedAt": iso_datetime(user.updated_at),
    }


def session_info_body(session: Session) -> dict:
    """A session as list-sessions names it: which device, from where, when. Never its token: that is the
    credential itself, and the list is of the user's other devices too."""
    return {
        "id": session.id, "userId": session.user_id,
        "expiresAt": iso_datetime(session.expires_at), "createdAt": iso_datetime(session.created_at),
        "updatedAt": iso_datetime(session.updated_at), "ipAddress": session.ip_address,
        "userAgent": session.user_agent,
    }


def session_body(session: Session) -> dict:
    """The caller's own Better Auth session (get-session), with the token the caller sent."""
    return {**session_info_body(session), "token": session.token}


def django_session_body(*, user: User, session: SessionBase, expires_at: datetime) -> dict:
    """A Django session (allauth's sign-in form or app, GitHub, the admin) in Better Auth's shape. Its key is
    the credential (an httponly cookie, or the app's token): the body names it by a digest, never echoes it,
    and Django keeps no creation time, address or device for it."""
    return {
        "id": salted_hmac("accounts.django-session", session.session_key).hexdigest()[:32], "token": None,
        "userId": user.id, "expiresAt": iso_datetime(expires_at), "createdAt": None, "updatedAt": None,
        "ipAddress": None, "userAgent": None,
    }


class SignUpInput(serializers.Serializer):
    email = serializers.CharField(allow_blank=True, trim_whitespace=True)
    password = serializers.CharField(allow_blank=True, trim_whitespace=False)
    name = serializers.CharField(allow_blank=True, required=False, default="")
    image = serializers.CharField(allow_null=True, required=False, default=None)
    callbackURL = serializers.CharField(required=False, allow_blank=True)  # noqa: N815 - the client's key
    rememberMe = serializers.BooleanField(required=False)  # noqa: N815


class SignInInput(serializers.Serializer):
    email = serializers.CharField(allow_blank=True, trim_whitespace=True)
    password = serializers.CharField(allow_blank=True, trim_whitespace=False)
    callbackURL = serializers.CharField(required=False, allow_blank=True)  # noqa: N815
    rememberMe = serializers.BooleanField(required=False)  # noqa: N815


class SocialSignInInput(serializers.Serializer):
    provider = serializers.CharField()
    callbackURL = serializers.CharField(required=False, allow_blank=True)  # noqa: N815
