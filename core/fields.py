"""Model fields for the two kinds of column the mirrored schema stores as `text`.

- `JSONTextField`: JSON kept as text in the database (the Drizzle schema's choice, mirrored), while
  model code reads and writes Python values.
- `EncryptedTextField`: provider secrets, encrypted at rest with django-cryptography and stored as
  base64 text, so the column keeps the schema's `text` type.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django import forms
from django.core import checks
from django.db import models
from django_cryptography.utils.crypto import FernetBytes


def dump_json(value: Any) -> str:
    """Serialise as the legacy server did (JavaScript's JSON.stringify: compact, UTF-8 kept)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class JSONTextField(models.TextField):
    """A `text` column holding JSON; Python code sees the parsed value.

    Text that is not valid JSON (possible only in rows written outside Django) is returned as the
    raw string rather than raising, so one bad row never breaks a page.
    """

    description = "JSON stored as text"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        try:
            return json.loads(value)
        except ValueError:
            return value

    def get_prep_value(self, value):
        if value is None or isinstance(value, models.expressions.BaseExpression):
            return value
        return dump_json(value)

    def to_python(self, value):
        return value

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})


class EncryptedTextField(models.TextField):
    """A `text` column holding a secret encrypted with django-cryptography (Fernet, AES + HMAC).

    Only `isnull` lookups make sense on ciphertext; every other lookup is refused.
    """

    description = "Encrypted text"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def check(self, **kwargs):
        errors = super().check(**kwargs)
        if self.has_default() or self.has_db_default():
            errors.append(checks.Error("An encrypted field cannot have a default.", obj=self,
                                       id="core.E001"))
        return errors

    def get_lookup(self, lookup_name):
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name):
        return None

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return decrypt_text(value)

    def get_prep_value(self, value):
        if value is None or isinstance(value, models.expressions.BaseExpression):
            return value
        return encrypt_text(str(value))


def encrypt_text(plaintext: str) -> str:
    return base64.urlsafe_b64encode(FernetBytes().encrypt(plaintext.encode())).decode("ascii")


def decrypt_text(ciphertext: str) -> str:
    return FernetBytes().decrypt(base64.urlsafe_b64decode(ciphertext.encode("ascii"))).decode()


def choices_check(field_name: str, choices: type[models.TextChoices]) -> models.CheckConstraint:
    """The database-level enum: `field_name` may only hold one of `choices` (or NULL if nullable)."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{field_name}__in": choices.values}),
        name=f"%(class)s_{field_name}_valid",
    )
