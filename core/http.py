"""Facts about an HTTP request that several apps need."""


def client_ip(request) -> str | None:
    """The caller's address as the old server recorded it: X-Forwarded-For, then X-Real-IP."""
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None
