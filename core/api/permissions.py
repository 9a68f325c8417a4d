"""Who may call what: users reach their own data; the two machine principals reach only what DECISIONS 4
and 31 allow.

- `ServicePrincipal`: the operators' service token (`API_TOKEN`); never given to a container.
- `SandboxPrincipal`: one sandbox's own credential, acting for that sandbox's owner only (their OpenCode
  config and files, MCP).
Neither is a user: the default permission (`IsUser`) refuses both with 403.
"""

from rest_framework.permissions import BasePermission


class Principal:
    """A caller that is not a user."""

    is_authenticated = True
    is_anonymous = False
    is_service = False
    is_sandbox = False
    id = None
    pk = None


class ServicePrincipal(Principal):
    """The caller that authenticated with `API_TOKEN` (operators' tools)."""

    is_service = True

    def __str__(self) -> str:
        return "service token"


class SandboxPrincipal(Principal):
    """The caller that authenticated with a sandbox's credential: "sandbox S of user U"."""

    is_sandbox = True

    def __init__(self, *, sandbox_id: str, user):
        self.sandbox_id, self.user = sandbox_id, user

    def __str__(self) -> str:
        return f"sandbox {self.sandbox_id}"


def is_service(principal) -> bool:
    return getattr(principal, "is_service", False)


def is_sandbox(principal) -> bool:
    return getattr(principal, "is_sandbox", False)


def acting_user(principal):
    """The user a caller acts for: a user is themself, a sandbox acts for its owner, the service token for
    nobody (None)."""
    if is_sandbox(principal):
        return principal.user
    return None if isinstance(principal, Principal) else principal


class IsUser(BasePermission):
    """The default: a signed-in user. The service token and sandbox credentials are refused (403)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and not isinstance(request.user, Principal))


class IsUserOrService(BasePermission):
    """Reference data: users and the service token."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and not is_sandbox(request.user))


class IsUserServiceOrSandbox(BasePermission):
    """What containers call: a user's OpenCode config and files, MCP knowledge."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)
