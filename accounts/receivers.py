"""Receivers that end a kept session (accounts/session_cache.py) the moment its row or its user's changes in
this process; other processes hear of it from the database's notification when the change commits."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import session_cache
from .models import Session, User


@receiver(post_save, sender=Session)
@receiver(post_delete, sender=Session)
def forget_session(sender, instance, **kwargs):
    session_cache.forget_token(instance.token)


@receiver(post_save, sender=User)
@receiver(post_delete, sender=User)
def forget_user_sessions(sender, instance, **kwargs):
    session_cache.forget_user(instance.pk)
