"""uvicorn with one change to the API, for comparison only: the OpenCode client built with one shared SSL
context instead of a new one per client (the fix suggested for the proxy's overhead, issue 11).

`httpx.AsyncClient()` loads certifi's CA bundle into a fresh SSLContext every time it is made (about 20 ms of
CPU, measured), and `sandboxes.opencode` makes a client per proxied call. This wrapper passes a context made
once as `verify=`, then runs uvicorn exactly as `python -m uvicorn` would, with the same arguments.
Used by `bench/opencode_proxy_overhead.py --shared-ssl-context`; the app code itself is not changed.
"""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402

from sandboxes import opencode  # noqa: E402

_SSL_CONTEXT = httpx.create_ssl_context()
_original_options = opencode._client_options


def _client_options(endpoint):
    return {**_original_options(endpoint), "verify": _SSL_CONTEXT}


opencode._client_options = _client_options

if __name__ == "__main__":
    import uvicorn

    sys.exit(uvicorn.main())
