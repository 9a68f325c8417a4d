"""Rate limiting of sign-in, sign-up and password endpoints: per client IP and path (DECISIONS 8)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


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

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": f"{self.get_ident(request)}:{request.path}"}
