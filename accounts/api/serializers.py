"""Better Auth's JSON shapes for users and sessions (reference-responses 9-16)."""

from rest_framework import serializers

from core.serializers import iso_datetime

from ..models import Session, User


def user_body(user: User) -> dict:
    return {
        "id": user.id, "name": user.name, "email": user.email, "emailVerified": user.email_verified,
        "image": user.image, "createdAt": iso_datetime(user.created_at), "updatedAt": iso_datetime(user.updated_at),
    }


def session_body(session: Session) -> dict:
    return {
        "id": session.id, "token": session.token, "userId": session.user_id,
        "expiresAt": iso_datetime(session.expires_at), "createdAt": iso_datetime(session.created_at),
        "updatedAt": iso_datetime(session.updated_at), "ipAddress": session.ip_address,
        "userAgent": session.user_agent,
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
