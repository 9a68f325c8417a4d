"""Project-level behaviour: health probe, settings safety, the custom user model."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User

ROOT = Path(__file__).resolve().parent.parent.parent


def test_health_answers_ok_with_an_iso_timestamp(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body) == {"status", "timestamp"}
    assert body["timestamp"].endswith("Z") and len(body["timestamp"]) == 24


def run_settings(settings_module: str, **env) -> subprocess.CompletedProcess:
    """Import a settings module in a fresh interpreter (a dead DATABASE_URL: nothing connects)."""
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    environment.update({"DJANGO_SETTINGS_MODULE": settings_module,
                        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", **env})
    code = "from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)


def test_production_refuses_to_start_without_a_real_secret_key():
    result = run_settings("config.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_secret_key_and_debug_off_by_default():
    result = run_settings("config.settings.production", SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.django_db
def test_createsuperuser_works_with_an_email_login(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-admin-password")
    call_command("createsuperuser", interactive=False, email="Ops@Example.com", name="Ops")
    admin = User.objects.get(email="ops@example.com")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password("a-long-admin-password")
    assert len(admin.id) == 32 and admin.id.isalnum()


def test_every_environment_variable_the_settings_read_is_listed_in_env_example():
    read = set()
    for module in (ROOT / "config" / "settings").glob("*.py"):
        read |= set(re.findall(r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""", module.read_text()))
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read and sorted(read - listed) == []


STATIC_CHECK = """
import re
import django
django.setup()
from django.core.management import call_command
from django.test import Client

call_command("collectstatic", interactive=False, verbosity=0)
client = Client()
for page, pattern in [("/admin/login/", r'href="(/static/admin/css/[^"]+\\.css)"'),
                      ("/api/docs", r'src="(/static/drf_spectacular_sidecar/[^"]+\\.js)"')]:
    response = client.get(page)
    assert response.status_code == 200, (page, response.status_code)
    assets = re.findall(pattern, response.content.decode())
    assert assets, (page, response.content.decode()[:2000])
    for asset in assets:
        served = client.get(asset)
        body = b"".join(served.streaming_content) if served.streaming else served.content
        assert served.status_code == 200 and body, (asset, served.status_code)
        print(asset)
"""


def test_production_serves_the_admin_css_and_the_api_docs_scripts(tmp_path):
    """DEBUG off, after the deploy step `collectstatic`: the admin is styled and /api/docs has its scripts."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DATABASE_URL"}}
    environment.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", "SECRET_KEY": "x" * 50,
                        "ALLOWED_HOSTS": "testserver", "STATIC_ROOT": str(tmp_path / "static"),
                        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none"})
    result = subprocess.run([sys.executable, "-c", STATIC_CHECK], cwd=ROOT, env=environment,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    served = result.stdout.split()
    # Hashed names: the manifest storage, so a new release never meets a browser's stale copy.
    assert any(re.search(r"/static/admin/css/base\.[0-9a-f]{12}\.css$", path) for path in served), served
    assert any(re.search(r"swagger-ui-bundle\.[0-9a-f]{12}\.js$", path) for path in served), served
