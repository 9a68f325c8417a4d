"""Defaults for the providers app, each overridable by a Django setting of the same name.

Read through `setting()` at call time (not import time), so tests and deployments can override any
of them without this app touching the settings modules.
"""

from django.conf import settings

DEFAULTS = {
    # The provider catalogue (api-contract 2.7, 1.12).
    "MODELS_DEV_URL": "https://models.dev/api.json",
    "MODELS_DEV_TIMEOUT": 10.0,  # seconds, connect and read
    "MODELS_DEV_CACHE_SECONDS": 3600,  # how long a fetched catalogue counts as fresh
    # After a failed fetch, how long to serve the last good copy (or 503) before asking models.dev again.
    "MODELS_DEV_RETRY_SECONDS": 60,
    # GitHub Copilot device flow.
    "GITHUB_COPILOT_CLIENT_ID": "Iv1.b507a08c87ecfe98",  # the client id the old server and OpenCode use
    "GITHUB_COPILOT_SCOPES": ["read:user"],
    "GITHUB_TIMEOUT": 10.0,
    # Per-user limits on the endpoints that call out to models.dev or GitHub (DRF rate syntax).
    "PROVIDERS_REFRESH_CACHE_RATE": "6/min",
    "PROVIDERS_OAUTH_INIT_RATE": "10/min",
    "PROVIDERS_OAUTH_POLL_RATE": "60/min",  # GitHub's interval is 5 s: 12 polls a minute per flow
}

# GitHub's device-flow endpoints (https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/
# authorizing-oauth-apps#device-flow). Fixed: there is no other server to talk to.
GITHUB_DEVICE_CODE_URL = "https://github.com/login/device/code"
GITHUB_ACCESS_TOKEN_URL = "https://github.com/login/oauth/access_token"

USER_AGENT = "AgentPod-API"


def setting(name: str):
    return getattr(settings, name, DEFAULTS[name])
