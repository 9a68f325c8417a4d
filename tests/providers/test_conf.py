"""The providers app's settings a deployment sets from the environment (an air-gapped install points the
catalogue at a mirror), read in a fresh interpreter as a deployment would."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

CATALOGUE_SETTINGS = ["MODELS_DEV_URL", "MODELS_DEV_TIMEOUT", "MODELS_DEV_CACHE_SECONDS",
                      "MODELS_DEV_RETRY_SECONDS", "GITHUB_TIMEOUT"]


def providers_settings(**env) -> dict:
    """`providers.conf.setting()` of each catalogue setting under config.settings.base with `env`."""
    environment = {k: v for k, v in os.environ.items() if k not in CATALOGUE_SETTINGS}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.test",
                        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", **env})
    code = ("import django, json; django.setup(); from providers.conf import setting; "
            f"print(json.dumps({{name: setting(name) for name in {CATALOGUE_SETTINGS!r}}}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_catalogue_url_and_timeouts_come_from_the_environment():
    assert providers_settings(MODELS_DEV_URL="http://mirror.internal/models.json", MODELS_DEV_TIMEOUT="2.5",
                              MODELS_DEV_CACHE_SECONDS="600", MODELS_DEV_RETRY_SECONDS="15",
                              GITHUB_TIMEOUT="4") == {
        "MODELS_DEV_URL": "http://mirror.internal/models.json", "MODELS_DEV_TIMEOUT": 2.5,
        "MODELS_DEV_CACHE_SECONDS": 600, "MODELS_DEV_RETRY_SECONDS": 15, "GITHUB_TIMEOUT": 4.0}


def test_unset_they_keep_the_apps_defaults():
    assert providers_settings() == {"MODELS_DEV_URL": "https://models.dev/api.json",
                                    "MODELS_DEV_TIMEOUT": 10.0, "MODELS_DEV_CACHE_SECONDS": 3600,
                                    "MODELS_DEV_RETRY_SECONDS": 60, "GITHUB_TIMEOUT": 10.0}
