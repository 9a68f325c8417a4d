"""Request guards that apply before any view, the JSON answer to errors of views outside DRF, and the
static files.

They work in both of Django's modes without a thread switch of their own (config/asgi.py serves the sync
views through Django's WSGI handler and the async ones through its ASGI handler).
"""

import re
from itertools import accumulate

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpResponse, JsonResponse
from django.utils.deprecation import MiddlewareMixin
from whitenoise.middleware import WhiteNoiseMiddleware

from core.api.errors import ApiError, InvalidRequest
from core.api.exception_handler import error_response, is_database_unavailable

# Deeper than any document a client sends, far below the depth at which Python's JSON decoder exhausts
# the stack (about 1000 levels less the frames of the request itself).
MAX_JSON_DEPTH = 256
# A JSON string (escapes included, unrolled so that it runs in linear time), then anything but a bracket.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(rb"[^\[\]{}]+")
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether `body`'s arrays and objects nest deeper than `limit` (brackets inside strings do not count)."""
    if body.count(b"[") + body.count(b"{") <= limit:  # nearly every body: two passes in C, no parsing
        return False
    brackets = _NOT_A_BRACKET.sub(b"", _JSON_STRING.sub(b"", body))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0) > limit


class RequestGuard:
    """A check that may answer a request before the rest of the stack (`answer`), in either mode."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def answer(self, request) -> HttpResponse | None:
        raise NotImplementedError

    def __call__(self, request):
        if iscoroutinefunction(self.get_response):
            return self.__acall__(request)
        return self.answer(request) or self.get_response(request)

    async def __acall__(self, request):
        return self.answer(request) or await self.get_response(request)


class RejectNulBytesMiddleware(RequestGuard):
    """A NUL byte in the path can never name a row (PostgreSQL text cannot hold one): answer 404 at
    once instead of letting the database driver fail with a 500."""

    def answer(self, request):
        if "\x00" in request.path:
            return JsonResponse({"error": "Not found"}, status=404)
        return None


class RejectDeepJsonMiddleware(RequestGuard):
    """A JSON body nested deeper than MAX_JSON_DEPTH is a 400 before any view parses it: Python's decoder
    would raise RecursionError (a 500) in DRF's parser and allauth's alike. Reading the body here also
    applies the upload limit (DATA_UPLOAD_MAX_MEMORY_SIZE) to every JSON request: a 413 (core.views)."""

    def answer(self, request):
        if request.method in ("GET", "HEAD"):
            return None
        content_type = request.content_type or ""
        is_json = content_type == "application/json" or content_type.endswith("+json")
        if is_json and json_too_deep(request.body):
            return error_response(InvalidRequest(details="JSON nested too deeply"), request)
        return None


class StaticFilesMiddleware(WhiteNoiseMiddleware, RequestGuard):
    """WhiteNoise (production's static files: the admin's and /api/docs'), answering from its in-memory
    table of files in either mode."""

    def __init__(self, get_response):
        WhiteNoiseMiddleware.__init__(self, get_response)
        RequestGuard.__init__(self, get_response)

    def answer(self, request):
        static_file = self.find_file(request.path_info) if self.autorefresh else self.files.get(request.path_info)
        return self.serve(static_file, request) if static_file is not None else None

    __call__ = RequestGuard.__call__


class ApiErrorMiddleware(MiddlewareMixin):
    """Views outside DRF (allauth's pages, the admin's sign-in) raise the API's errors too, and lose the
    database like any other: both answer what the one exception handler answers in a DRF view.
    (MiddlewareMixin: only an exception reaches it, so requests pass in either mode without a switch.)"""

    def process_exception(self, request, exception):
        if isinstance(exception, ApiError) or is_database_unavailable(exception):
            return error_response(exception, request)
        return None
