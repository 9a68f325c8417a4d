"""Facts about an HTTP request that several apps need."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The caller's address, as the activity log, the sessions and the rate limits all count it.

    `X-Forwarded-For` is believed only as far as the deployment says proxies stand in front of the server
    (NUM_PROXIES): each trusted proxy appends the address it saw, so with N proxies the client is the N-th
    entry from the right, and whatever stands before it the client may have written itself. With no proxy
    declared only the connection's own address counts.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.NUM_PROXIES
    if proxies <= 0:
        return remote
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    forwarded = [entry.strip() for entry in header.split(",") if entry.strip()]
    if forwarded:
        return forwarded[-min(proxies, len(forwarded))]
    # A proxy that names the client in X-Real-IP only (nginx's `proxy_set_header X-Real-IP`).
    return request.META.get("HTTP_X_REAL_IP") or remote
