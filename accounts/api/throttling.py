"""Rate limiting of sign-in, sign-up and password endpoints: per client IP and path (DECISIONS 8)."""

from functools import wraps

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from core.api.errors import TooManyRequests
from core.http import client_ip


class AuthPathRateThrottle(SimpleRateThrottle):
    """`AUTH_RATE_LIMIT` requests per window per IP and path, e.g. "3/10s" (the old production limit)."""

    scope = "auth"

    def get_rate(self):
        return settings.AUTH_RATE_LIMIT

    def parse_rate(self, rate):
        if rate is None:
            return (None, None)
        count, window = rate.split("/")
        unit = window[-1]
        amount = int(window[:-1] or 1)
        return int(count), amount * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]

    def get_ident(self, request):
        # The address the activity log and the sessions record, behind the declared proxies (NUM_PROXIES).
        return client_ip(request) or ""

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{request.path}"}


def auth_rate_limited(view):
    """A Django view's form posts (the admin's sign-in) limited as the API's sign-in is; showing the form
    is free. A refused post is the one handler's 429 with `Retry-After` (through
    core.middleware.ApiErrorMiddleware)."""

    @wraps(view)
    def limited(request, *args, **kwargs):
        if request.method == "POST":
            throttle = AuthPathRateThrottle()
            if not throttle.allow_request(request, view):
                raise TooManyRequests(wait=throttle.wait())
        return view(request, *args, **kwargs)

    return limited
