"""Password rules Django does not ship: Better Auth capped passwords at 128 characters."""

from django.core.exceptions import ValidationError
from django.utils.translation import ngettext


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext("This password is longer than %(max_length)d character.",
                         "This password is longer than %(max_length)d characters.", self.max_length),
                code="password_too_long", params={"max_length": self.max_length})

    def get_help_text(self):
        return f"Your password can be at most {self.max_length} characters long."
