"""The reference data's responses (tiers, flavors, addons), cached: every signed-in client reads them
often, and they change only when an operator edits them in the admin or an import loads them.

A response is cached with the reference data's current version in its key; any write bumps the version
(`reference_data_changed`: the models' save/delete signals, the admin's "Make default", the legacy import),
so the next request builds the response anew. Responses carry an `ETag`; a client sending it back in
`If-None-Match` gets 304 without a body. The cache is Django's (`CACHE_URL`): with several server
processes point it at a shared cache, as for the rate limits, or other processes see a change only when
their cached entry expires (`REFERENCE_CACHE_SECONDS`).
"""

from __future__ import annotations

import functools
import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified

from core.api.renderers import ORJSONRenderer

VERSION_KEY = "containers:reference-version"


def _ttl() -> int:
    return getattr(settings, "REFERENCE_CACHE_SECONDS", 60)


def reference_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def _bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def reference_data_changed() -> None:
    """Forget every cached reference response: now (this transaction's later reads) and once more when the
    transaction commits (a read that cached the old rows meanwhile)."""
    _bump()
    transaction.on_commit(_bump)


def cached_reference(view_method):
    """Serve a reference-data GET from the cache (or build, render and cache it), with its ETag."""

    @functools.wraps(view_method)
    def wrapper(view, request, *args, **kwargs):
        key = f"containers:reference:{reference_version()}:{request.get_full_path()}"
        entry = cache.get(key)
        if entry is None:
            response = view_method(view, request, *args, **kwargs)
            if response.status_code != 200:
                return response
            body = ORJSONRenderer().render(response.data)
            entry = (f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"', body)
            cache.set(key, entry, _ttl())
        etag, body = entry
        if etag in request.headers.get("If-None-Match", ""):
            not_modified = HttpResponseNotModified()
            not_modified["ETag"] = etag
            return not_modified
        response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        return response

    return wrapper
