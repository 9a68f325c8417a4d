"""Request guards that apply before any view."""

from django.http import JsonResponse


class RejectNulBytesMiddleware:
    """A NUL byte in the path can never name a row (PostgreSQL text cannot hold one): answer 404 at
    once instead of letting the database driver fail with a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return JsonResponse({"error": "Not found"}, status=404)
        return self.get_response(request)
