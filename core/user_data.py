"""Each app's share of a user's account, for the account page, the data export and account deletion.

`accounts` sits at the root of the foreign-key graph and must not know the apps that hang below it.
Each app registers its part from its `AppConfig.ready()`; accounts collects the parts:

    user_data_register(UserDataPart(name="sandboxes", order=10, export=..., release=..., delete=...))

- `counts(user) -> dict`: numbers for `GET /api/account` (e.g. `sandboxCount`);
- `export(user) -> dict`: keys of the data export body (secrets never);
- `release(user, result)`: before the deletion transaction, for what lives outside the database
  (containers, repositories on disk); `result["deleteContainers"]` and `result["deleteRepositories"]`
  say what the user asked to remove; record failures in `result["errors"]`, never raise;
- `delete(user, result)`: inside the deletion transaction, before the user row goes; set the
  counters of the deletion result (`result["sandboxesDeleted"] = n`).

Parts run in `order` (lower first). Every callable must cost a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class UserDataPart:
    name: str
    order: int = 100
    counts: Callable | None = None
    export: Callable | None = None
    release: Callable | None = None
    delete: Callable | None = None


_parts: dict[str, UserDataPart] = {}


def user_data_register(part: UserDataPart) -> None:
    """Register (or replace, on a second `ready()`) an app's part."""
    _parts[part.name] = part


def user_data_parts() -> list[UserDataPart]:
    return sorted(_parts.values(), key=lambda part: (part.order, part.name))
