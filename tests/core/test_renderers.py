"""The orjson renderer writes what DRF's JSONRenderer writes, faster."""

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.serializer_helpers import ReturnDict

from core.api.renderers import ORJSONRenderer

BODIES = [
    {"sandboxes": [{"id": "abc", "name": "Ünïcödé ✓", "count": 3, "ok": True, "none": None}], "count": 1},
    ReturnDict({"at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), "naive": datetime(2026, 1, 2)},
               serializer=None),
    {"price": Decimal("12.50"), "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
     "lazy": gettext_lazy("Not found"), "nested": [[1, 2.5], {"k": "v"}]},
    [],
    "text",
]


def test_the_bytes_are_drfs():
    for body in BODIES:
        assert ORJSONRenderer().render(body) == JSONRenderer().render(body), body


def test_no_body_is_empty():
    assert ORJSONRenderer().render(None) == b""
    assert json.loads(ORJSONRenderer().render({1: "integer key"})) == {"1": "integer key"}
