"""`core.http.client_ip`: the caller's address, trusting X-Forwarded-For only from the proxies the
deployment declares (NUM_PROXIES; issue 10, item 13)."""

import pytest
from django.test import RequestFactory

from core.http import client_ip

PROXY = "203.0.113.9"  # REMOTE_ADDR: whoever opened the connection


@pytest.mark.parametrize("proxies, forwarded, real_ip, expected", [
    (0, "198.51.100.1", "198.51.100.2", PROXY),  # nobody in front: headers a client wrote mean nothing
    (0, None, None, PROXY),
    (1, "198.51.100.1", None, "198.51.100.1"),
    (1, "6.6.6.6, 198.51.100.1", None, "198.51.100.1"),  # the client's own entry comes before the proxy's
    (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", None, "198.51.100.1"),
    (3, "198.51.100.1", None, "198.51.100.1"),  # fewer entries than proxies: the first one
    (1, None, "198.51.100.2", "198.51.100.2"),  # a proxy that sends X-Real-IP only
    (1, None, None, PROXY),
])
def test_client_ip_trusts_only_the_configured_proxies(settings, proxies, forwarded, real_ip, expected):
    settings.NUM_PROXIES = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded, "HTTP_X_REAL_IP": real_ip}
    headers = {key: value for key, value in headers.items() if value is not None}
    assert client_ip(RequestFactory().get("/", REMOTE_ADDR=PROXY, **headers)) == expected


def test_no_request_has_no_address():
    assert client_ip(None) is None
