"""The API's JSON body parser: DRF's, refusing text PostgreSQL could not store.

JSON may spell a lone UTF-16 surrogate (`"\\ud800"`); Python decodes it into a `str` that no UTF-8
encoder accepts, so it would reach the database driver and fail there as a 500, whichever endpoint took
it. Checking the parsed body once here covers every endpoint, keys and values alike.
"""

from rest_framework import parsers

from .errors import InvalidRequest

LONE_SURROGATE = "The JSON body holds a lone surrogate escape (\\ud800-\\udfff), which is not Unicode text"


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if has_lone_surrogate(data):
            raise InvalidRequest(details=LONE_SURROGATE)
        return data


def has_lone_surrogate(data) -> bool:
    """Whether any string (or object key) in a parsed JSON value is not encodable as UTF-8.

    An explicit stack, not recursion: the value may be as deep as the JSON decoder allowed."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if not value.isascii():
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    return True
        elif isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return False
