"""Reads about a user's whole account: counts for the account page and the data export.

Each app contributes its part (`core.user_data`); accounts knows only its own tables.
"""

from datetime import datetime

from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.models import Session as DjangoSession
from django.utils import timezone

from core.serializers import iso_datetime
from core.user_data import user_data_parts

from .models import User


def account_stats(*, user: User) -> dict:
    stats: dict = {}
    for part in user_data_parts():
        if part.counts:
            stats.update(part.counts(user))
    return stats


def user_data_export(*, user: User) -> dict:
    """Everything stored about the user, secrets excluded (credentials appear as provider ids only)."""
    body = {
        "exportedAt": iso_datetime(timezone.now()),
        "user": {"id": user.id, "email": user.email, "name": user.name, "image": user.image,
                 "createdAt": iso_datetime(user.created_at)},
    }
    for part in user_data_parts():
        if part.export:
            body.update(part.export(user))
    return body


def django_session_expiry(*, session: SessionBase) -> datetime:
    """When a Django session ends: the expiry stored with it (the database session engine keeps one per row);
    `get_expiry_date()` alone would count from now."""
    stored = (DjangoSession.objects.filter(session_key=session.session_key)
              .values_list("expire_date", flat=True).first())
    return stored or session.get_expiry_date()
