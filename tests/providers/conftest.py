"""models.dev and GitHub are faked at the HTTP layer only (`responses`); everything else is real.

The `http` mock is on for every test here, so no test can reach the real network: a request to a
URL no test registered fails like an unreachable server.
"""

import pytest
import responses

from providers.conf import GITHUB_ACCESS_TOKEN_URL, GITHUB_DEVICE_CODE_URL
from tests.providers.catalogue_data import MODELS_DEV

MODELS_DEV_URL = "https://models.dev/api.json"


@pytest.fixture(autouse=True)
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def models_dev(http):
    """models.dev answering the eight-provider catalogue."""
    http.get(MODELS_DEV_URL, json=MODELS_DEV)
    return http


def calls_to(http, url: str) -> list:
    return [call for call in http.calls if call.request.url == url]


@pytest.fixture
def github_device_code(http):
    def answer(**body):
        http.post(GITHUB_DEVICE_CODE_URL, json={
            "device_code": "device-code-secret-0001", "user_code": "WDJB-MJHT",
            "verification_uri": "https://github.com/login/device", "expires_in": 899, "interval": 5, **body})
    return answer


@pytest.fixture
def github_token(http):
    def answer(body, status=200):
        http.post(GITHUB_ACCESS_TOKEN_URL, json=body, status=status)
    return answer
