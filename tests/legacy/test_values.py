"""The value rules (spec/IMPORT.md "Values") one by one, on the Cleaner the mappings use."""

from datetime import datetime, timezone

import pytest

from legacy.crypto import LegacyDecryptError, legacy_decrypt, legacy_key
from legacy.values import Cleaner, Reject, parse_timestamp

UTC = timezone.utc
NOW = datetime(2025, 12, 14, 18, tzinfo=UTC)


@pytest.fixture
def c():
    cleaner = Cleaner(now=NOW)
    cleaner.begin("row-1")
    return cleaner


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2025-12-13 10:11:12", datetime(2025, 12, 13, 10, 11, 12, tzinfo=UTC)),
        ("2025-12-13T10:11:12.123Z", datetime(2025, 12, 13, 10, 11, 12, 123000, UTC)),
        ("2025-12-13T10:11:12Z", datetime(2025, 12, 13, 10, 11, 12, tzinfo=UTC)),
        ("2025-12-13T15:41:12.123+05:30", datetime(2025, 12, 13, 10, 11, 12, 123000, UTC)),
        ("2025-12-13T10:11:12", datetime(2025, 12, 13, 10, 11, 12, tzinfo=UTC)),
        ("2025-12-13", datetime(2025, 12, 13, tzinfo=UTC)),
        ("1765620000", datetime.fromtimestamp(1765620000, UTC)),
        ("1765620000000", datetime.fromtimestamp(1765620000, UTC)),
        (1765620000000, datetime.fromtimestamp(1765620000, UTC)),
        ("yesterday", None),
    ],
)
def test_timestamps(raw, expected):
    assert parse_timestamp(raw) == expected


def test_unparseable_or_null_not_null_timestamps_fall_back_and_are_reported(c):
    fallback = datetime(2025, 1, 1, tzinfo=UTC)
    assert c.timestamp("updated_at", "garbage", fallback=fallback, required=True) == fallback
    assert c.timestamp("created_at", None, required=True) == NOW
    assert [f[0] for f in c.fixes] == ["updated_at", "created_at"]
    assert c.timestamp("last_seen", "garbage") is None  # nullable: NULL, reported
    assert len(c.fixes) == 3
    created, updated = c.created_updated({"created_at": None, "updated_at": "2025-12-13 10:11:12"})
    assert created == updated == datetime(2025, 12, 13, 10, 11, 12, tzinfo=UTC)


def test_integers_beyond_32_bits_reject_the_row_and_chat_counters_are_left_to_recompute(c):
    with pytest.raises(Reject, match="32-bit"):
        c.integer("port", 3_000_000_000)
    assert c.counter("message_count", 3_000_000_000) is None
    assert c.integer("port", "8080") == 8080
    assert c.integer("auto_refresh_interval", "30s", default=30) == 30
    assert c.fixes and c.fixes[-1][:2] == ("auto_refresh_interval", "30s")


def test_booleans(c):
    assert (c.boolean("a", 0), c.boolean("a", 1), c.boolean("a", None)) == (False, True, None)
    assert not c.fixes
    # A NULL replaced by the column's default is a changed value: reported (the export would not
    # give the NULL back).
    assert c.boolean("a", None, default=True) is True
    assert c.fixes == [("a", None, "NULL replaced by the column default (True)")]
    c.begin("next")
    assert (c.boolean("a", "true"), c.boolean("a", "false"), c.boolean("a", 2)) == (True, False, True)
    assert len(c.fixes) == 3


def test_a_null_that_becomes_the_column_default_is_reported(c):
    assert c.integer("settings_version", None, default=1) == 1
    assert c.boolean("in_app_notifications", None, default=True) is True
    assert c.real("price_monthly", None, default=0.0) == 0.0
    assert c.text("name", None, default="") == ""
    assert c.integer("port", None) is None  # no default: NULL stays NULL, nothing changed
    assert c.fixes == [("settings_version", None, "NULL replaced by the column default (1)"),
                       ("in_app_notifications", None, "NULL replaced by the column default (True)"),
                       ("price_monthly", None, "NULL replaced by the column default (0.0)"),
                       ("name", None, "NULL replaced by the column default ('')")]
    c.begin("row-2")
    c.columns = frozenset({"id"})  # a column the file's schema version does not have: nothing to report
    assert c.integer("settings_version", None, default=1) == 1
    assert c.fixes == []


def test_json_text(c):
    assert c.json_text("settings", '{"a":1}', default="{}") == '{"a":1}'
    assert c.json_text("settings", '{"a":1,}', default="{}") == "{}"
    assert c.json_text("addon_ids", "[NaN]", default="[]") == "[]"  # JSON.parse rejects NaN
    assert c.json_text("title", '"\\ud83d"', default=None) == '"\\ud83d"'  # a lone surrogate escape is JSON
    assert c.json_content("content", '{"parts":[{"te') == '"{\\"parts\\":[{\\"te"'
    assert [f[0] for f in c.fixes] == ["settings", "addon_ids", "content"]


def test_text(c):
    assert c.text("title", "a\x00b") == "ab"
    assert c.text("thinking", b"\xc3\x28\xff") == "\ufffd(\ufffd"
    assert c.text("name", 42) == "42"
    assert len(c.fixes) == 2
    with pytest.raises(Reject, match="NULL"):
        c.text("name", None, required=True)


def test_enums_outside_the_set_reject_the_row(c):
    assert c.choice("status", "running", {"running"}) == "running"
    assert c.choice("status", None, {"running"}) is None
    with pytest.raises(Reject) as rejected:
        c.choice("status", "deleted", {"running"})
    assert (rejected.value.column, rejected.value.value) == ("status", "deleted")


def test_legacy_decryption():
    from base64 import b64encode

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    key_string = "dev-encryption-key-32-bytes-long!"  # 33 characters: the '!' is cut
    iv = b"\x01" * 12
    stored = b64encode(
        iv + AESGCM(b"dev-encryption-key-32-bytes-long").encrypt(iv, b"sk-secret", None)
    ).decode()
    assert legacy_decrypt(stored, legacy_key(key_string)) == "sk-secret"
    assert legacy_key("short") == b"short" + b"0" * 27
    assert legacy_decrypt("", legacy_key(key_string)) == ""
    for bad, message in (
        (stored, "wrong legacy encryption key"),
        ("sk-plain-key", "not base64"),
        (b64encode(b"x" * 20).decode(), "too short"),
    ):
        with pytest.raises(LegacyDecryptError, match=message):
            legacy_decrypt(bad, legacy_key("another-key" if bad == stored else key_string))
