"""The base of per-user API views: the caller reaches only their own rows (DECISIONS 1)."""

from django.db.models import Model, QuerySet

from .errors import NotFound


class OwnerScopedMixin:
    """For views over rows that belong to a user. Another user's row is answered exactly as a missing one:
    404 with the resource's usual message. Use it for every lookup by id, so no view checks ownership its
    own way."""

    owner_field = "user"

    def get_owned(self, queryset: QuerySet, *, not_found: str, **lookup) -> Model:
        """The caller's row of `queryset` matching `lookup`, or NotFound(`not_found`)."""
        obj = queryset.filter(**{self.owner_field: self.request.user}, **lookup).first()
        if obj is None:
            raise NotFound(not_found)
        return obj

    def path_user(self, user_id: str):
        """A `/users/:userId/...` path: `me` or the caller's own id is the caller; any other id is a 404
        (DECISIONS 3)."""
        if user_id in ("me", self.request.user.pk):
            return self.request.user
        raise NotFound("User not found")
