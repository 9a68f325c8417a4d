"""What the sandboxes app tells the apps above it (onboarding, chat), which it does not import.

- `sandbox_created` (kwargs: `sandbox`): sent inside the transaction that stores a new sandbox, so a
  receiver's rows (the pending onboarding session, step 4 of create) exist exactly when the sandbox does.
- `sandbox_deleted` (kwargs: `sandbox`): sent inside the transaction that marks a sandbox deleted (a soft
  delete, `sandbox_delete`), so what a receiver does in its own tables (chat sessions archived, the
  onboarding session let go of the sandbox) happens exactly when the sandbox is deleted.
- `container_environment` (kwargs: `sandbox`): asked while a container spec is built; each receiver
  returns a dict of environment variables to add (or None).
"""

from django.dispatch import Signal

sandbox_created = Signal()
sandbox_deleted = Signal()
container_environment = Signal()
