"""Better Auth's four tables (`user`, `session`, `account`, `verification`), mirrored.

`User` is Django's user model too: e-mail is the login, ids stay Better Auth's opaque text, and the
Django auth columns (password, is_staff, ...) are extra columns with database defaults, so rows
written by plain SQL (the legacy import) are valid users.
"""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from core.ids import better_auth_id
from core.models import TimeStampedModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email=normalize_email(username))


def normalize_email(email: str) -> str:
    """E-mail addresses are compared trimmed and lower-cased, as the legacy import stores them."""
    return email.strip().lower()


class User(AbstractBaseUser, PermissionsMixin, TimeStampedModel):
    id = models.TextField(primary_key=True, default=better_auth_id, editable=False)
    name = models.TextField(default="")
    email = models.TextField(unique=True)
    email_verified = models.BooleanField(default=False, db_default=False)
    image = models.TextField(null=True, blank=True)

    # Django auth columns. `password` is text because a carried-over Better Auth hash with our
    # algorithm prefix is longer than Django's 128 characters.
    password = models.TextField(default="", db_default="")
    last_login = models.DateTimeField(null=True, blank=True)
    is_staff = models.BooleanField(default=False, db_default=False)
    is_active = models.BooleanField(default=True, db_default=True)
    is_superuser = models.BooleanField(default=False, db_default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        db_table = "user"
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class Session(TimeStampedModel):
    """A Better Auth session: its token is the bearer token clients send."""

    id = models.TextField(primary_key=True, default=better_auth_id, editable=False)
    expires_at = models.DateTimeField()
    token = models.TextField()
    ip_address = models.TextField(null=True, blank=True)
    user_agent = models.TextField(null=True, blank=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="auth_sessions", db_index=False)

    class Meta:
        db_table = "session"
        constraints = [models.UniqueConstraint(fields=["token"], name="session_token_unique")]
        indexes = [models.Index(fields=["user"], name="session_user_id_idx")]

    def __str__(self) -> str:
        return f"Session of {self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class Account(TimeStampedModel):
    """A sign-in method of a user: `credential` (password) or an OAuth provider such as `github`."""

    id = models.TextField(primary_key=True, default=better_auth_id, editable=False)
    account_id = models.TextField()
    provider_id = models.TextField()
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="accounts", db_index=False)
    access_token = models.TextField(null=True, blank=True)
    refresh_token = models.TextField(null=True, blank=True)
    id_token = models.TextField(null=True, blank=True)
    access_token_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token_expires_at = models.DateTimeField(null=True, blank=True)
    scope = models.TextField(null=True, blank=True)
    password = models.TextField(null=True, blank=True)

    class Meta:
        db_table = "account"
        indexes = [
            models.Index(fields=["user"], name="account_user_id_idx"),
            models.Index(fields=["provider_id", "account_id"], name="account_provider_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} account of {self.user_id}"


class Verification(TimeStampedModel):
    """Short-lived Better Auth verification values (OAuth state, e-mail tokens)."""

    id = models.TextField(primary_key=True, default=better_auth_id, editable=False)
    identifier = models.TextField()
    value = models.TextField()
    expires_at = models.DateTimeField()

    class Meta:
        db_table = "verification"
        indexes = [models.Index(fields=["identifier"], name="verification_identifier_idx")]

    def __str__(self) -> str:
        return self.identifier
