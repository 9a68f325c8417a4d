"""Who may call what: users reach their own data; the service token reaches only what DECISIONS 4 allows."""

from rest_framework.permissions import BasePermission


class ServicePrincipal:
    """The caller that authenticated with `API_TOKEN` (sandbox containers). It is not a user."""

    is_authenticated = True
    is_anonymous = False
    is_service = True
    id = None
    pk = None

    def __str__(self) -> str:
        return "service token"


def is_service(principal) -> bool:
    return getattr(principal, "is_service", False)


class IsUser(BasePermission):
    """The default: a signed-in user. The service token is refused (403)."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and not is_service(request.user))


class IsUserOrService(BasePermission):
    """For the few endpoints containers call: reference data, OpenCode config, MCP knowledge."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)
