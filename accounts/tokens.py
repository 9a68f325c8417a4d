"""Better Auth's session-token formats, so tokens issued by the old server stay valid.

A token is 32 alphanumeric characters stored in `session.token`. Clients present it raw
(`Authorization: Bearer <token>`) or signed: `<token>.<base64(HMAC-SHA256(secret, token))>`, URL-encoded
in the `agentpod.session_token` cookie and the `set-auth-token` header (legacy-sqlite section 3).
"""

import base64
import hashlib
import hmac
from urllib.parse import quote, unquote

from django.conf import settings

SIGNATURE_LENGTH = 44  # standard base64 of 32 bytes, with its "=" padding


def _secret() -> bytes:
    return (settings.BETTER_AUTH_SECRET or settings.SECRET_KEY).encode()


def signature(token: str) -> str:
    return base64.b64encode(hmac.new(_secret(), token.encode(), hashlib.sha256).digest()).decode()


def signed_value(token: str) -> str:
    """The URL-encoded signed form used in cookies and the `set-auth-token` header."""
    return quote(f"{token}.{signature(token)}", safe="-_.!~*'()")


def unsign(value: str) -> str | None:
    """The token inside a signed value (URL-encoded or not), or None if the signature is wrong."""
    value = unquote(value)
    token, dot, sig = value.rpartition(".")
    if not dot or len(sig) != SIGNATURE_LENGTH or not sig.endswith("="):
        return None
    return token if hmac.compare_digest(sig, signature(token)) else None


def token_from_credential(value: str, *, allow_raw: bool) -> str | None:
    """A bearer credential may be raw or signed; a cookie must be signed."""
    if "." in unquote(value):
        return unsign(value)
    return value if allow_raw and value else None
