"""Onboarding sessions have no legacy SQLite table (the old server kept them in PostgreSQL from
b0da3c54 on): nothing to import; the export leaves them out and says so."""

from legacy.export import ExportTable

from .models import OnboardingSession

DEPENDS_ON = ("accounts", "sandboxes")
ORDER = 90

EXPORT_TABLES = [
    ExportTable(
        "onboarding_sessions",
        OnboardingSession,
        leave_out_reason="no table in the legacy SQLite file (the old server kept onboarding sessions in "
        "PostgreSQL)",
    ),
]
