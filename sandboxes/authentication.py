"""The sandbox credential: `Authorization: Bearer agentpod-sandbox.<id>.<hmac>` (sandboxes.credentials).

It authenticates as a `SandboxPrincipal`, which acts for the sandbox's owner only where a permission
allows it (their OpenCode config and files, MCP); every other endpoint refuses it (403). A deleted
sandbox's token no longer authenticates. Listed before the session-token class, so a sandbox token
never costs a session lookup.
"""

from rest_framework import authentication

from accounts.authentication import bearer_value
from core.api.permissions import SandboxPrincipal

from .credentials import TOKEN_PREFIX, sandbox_id_from_token
from .models import Sandbox


class SandboxTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        value = bearer_value(request)
        if value is None or not value.startswith(TOKEN_PREFIX + "."):
            return None
        sandbox_id = sandbox_id_from_token(value)
        if sandbox_id is None:
            return None
        sandbox = Sandbox.objects.select_related("user").filter(pk=sandbox_id, user__is_active=True).first()
        if sandbox is None:
            return None
        return (SandboxPrincipal(sandbox_id=sandbox.pk, user=sandbox.user), "sandbox")

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
