"""Per-app settings with defaults, read at call time.

An app lists its settings and their defaults once (`sandboxes/conf.py`, `containers/conf.py`); a name
set in Django settings wins. Reading at call time (not import time) lets tests change a setting with
pytest-django's `settings` fixture. Values that come from the environment are read in
`config/settings/base.py`, the one place the environment is read.
"""

from typing import Any

from django.conf import settings


class AppSettings:
    def __init__(self, defaults: dict[str, Any]):
        self._defaults = defaults

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in self._defaults:
            raise AttributeError(name)
        if hasattr(settings, name):
            return getattr(settings, name)
        default = self._defaults[name]
        return default() if callable(default) else default
