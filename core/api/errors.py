"""The API's error vocabulary: domain code raises these, one handler renders them (DECISIONS 10-14).

Every error body we write is `{"error": "<message>"}` plus `"details": "<string>"` when there is more
to say, the shape the desktop client parses. Views never build error responses by hand.
"""

from rest_framework import status


class ApiError(Exception):
    """An error a client caused or must know about, rendered as `{"error", "details"?}`."""

    status_code = status.HTTP_400_BAD_REQUEST
    message = "Bad request"

    def __init__(self, message: str | None = None, *, details: str | None = None, status_code: int | None = None,
                 extra: dict | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.details = details
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code

    def body(self) -> dict:
        body = {"error": self.message, **self.extra}
        if self.details:
            body["details"] = self.details
        return body


class InvalidRequest(ApiError):
    message = "Invalid request"


class NotFound(ApiError):
    status_code = status.HTTP_404_NOT_FOUND
    message = "Not found"


class Forbidden(ApiError):
    status_code = status.HTTP_403_FORBIDDEN
    message = "Forbidden"


class Conflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    message = "Conflict"


class PayloadTooLarge(ApiError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    message = "Request body too large"


class TooManyRequests(ApiError):
    """`wait`: seconds until the client may try again (sent as `Retry-After`)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    message = "Too many requests. Please try again later."

    def __init__(self, message: str | None = None, *, wait: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.wait = wait


class ServerError(ApiError):
    status_code = status.HTTP_500_INTERNAL_SERVER_ERROR
    message = "Internal server error"


class ServiceUnavailable(ApiError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    message = "Service unavailable"
