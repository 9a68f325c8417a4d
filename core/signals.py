"""Signals between apps that do not import each other (STYLE 15: sent after commit).

- `opencode_config_changed` (kwargs: `user_id`): a user's OpenCode config, files or provider
  credentials changed. providers and settings_app send it; sandboxes pushes the new config into the
  user's running sandboxes.
"""

from functools import partial

from django.db import transaction
from django.dispatch import Signal

opencode_config_changed = Signal()


def announce_opencode_config_changed(*, user_id: str) -> None:
    """Send `opencode_config_changed` once the current transaction commits (at once outside one), so
    receivers never see a change that is rolled back."""
    transaction.on_commit(partial(opencode_config_changed.send, sender=None, user_id=user_id))
