"""The LLM provider catalogue, read live from models.dev (api-contract 2.7, 1.12).

models.dev answers one JSON object keyed by provider id; each provider has `name`, `env` (the
environment variables its SDK reads) and `models` keyed by model id. We keep what the API shows,
normalised as the old server did (missing numbers become 0, `streaming` is always true).

Caching, in the Django cache so every worker sharing it benefits:
- a fresh copy, for `MODELS_DEV_CACHE_SECONDS` (an hour);
- a "last good" copy with no expiry, served when models.dev fails, so an outage of models.dev
  never takes the provider screens down once the catalogue has been seen;
- after a failure, a retry marker for `MODELS_DEV_RETRY_SECONDS`, so a models.dev outage does not
  make every request wait for a timeout.
With neither a fresh nor a last good copy, callers get 503 `Provider catalogue unavailable`.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

import requests
from django.core.cache import cache

from core.api.errors import ServiceUnavailable

from .conf import USER_AGENT, setting
from .models import AuthType

logger = logging.getLogger(__name__)

FRESH_KEY = "providers:catalogue:fresh"
LAST_GOOD_KEY = "providers:catalogue:last-good"
RETRY_KEY = "providers:catalogue:retry-after-failure"

# Shown by `GET /api/providers` unless `popularOnly=false`, in models.dev order (not this order).
POPULAR_PROVIDERS = ("anthropic", "openai", "google", "github-copilot", "openrouter", "amazon-bedrock",
                     "azure", "groq", "mistral", "xai")
AUTH_TYPES = {"github-copilot": AuthType.DEVICE_FLOW, "opencode": AuthType.OAUTH}
LOGO_URL = "https://models.dev/logos/{id}.svg"


class CatalogueUnavailable(ServiceUnavailable):
    message = "Provider catalogue unavailable"


class CatalogueFetchError(Exception):
    """models.dev did not answer with a usable catalogue. The message never holds response text."""


@dataclass(frozen=True)
class CatalogueModel:
    id: str
    name: str
    context: int | float
    max_output: int | float
    input_price: int | float
    output_price: int | float
    image: bool
    video: bool
    tools: bool
    streaming: bool = True


@dataclass(frozen=True)
class CatalogueProvider:
    id: str
    name: str
    api_key_env_var: str | None
    models: tuple[CatalogueModel, ...]

    @property
    def auth_type(self) -> str:
        return auth_type(self.id)

    @property
    def logo_url(self) -> str:
        return LOGO_URL.format(id=self.id)


def auth_type(provider_id: str) -> str:
    return str(AUTH_TYPES.get(provider_id, AuthType.API_KEY))


# -- reading -------------------------------------------------------------------------------------------

def catalogue_providers() -> dict[str, CatalogueProvider]:
    """Every provider, keyed by id in models.dev order: fresh, else fetched, else the last good copy."""
    providers = cache.get(FRESH_KEY)
    if providers is not None:
        return providers
    if cache.get(RETRY_KEY) is None:
        try:
            return catalogue_refresh()
        except CatalogueFetchError:
            pass
    providers = cache.get(LAST_GOOD_KEY)
    if providers is None:
        raise CatalogueUnavailable()
    return providers


def catalogue_provider(provider_id: str) -> CatalogueProvider | None:
    return catalogue_providers().get(provider_id)


def catalogue_refresh() -> dict[str, CatalogueProvider]:
    """Fetch models.dev now and cache the result; on failure the cached copies stay as they were."""
    try:
        providers = parse_catalogue(_fetch())
    except CatalogueFetchError as exc:
        cache.set(RETRY_KEY, True, timeout=setting("MODELS_DEV_RETRY_SECONDS"))
        logger.warning("models.dev catalogue fetch failed: %s", exc)
        raise
    cache.set(FRESH_KEY, providers, timeout=setting("MODELS_DEV_CACHE_SECONDS"))
    cache.set(LAST_GOOD_KEY, providers, timeout=None)
    cache.delete(RETRY_KEY)
    logger.info("models.dev catalogue cached: %d providers", len(providers))
    return providers


def catalogue_reload() -> dict[str, CatalogueProvider]:
    """`POST /api/providers/refresh-cache`: fetch now, or 503 (the cached copies are kept)."""
    try:
        return catalogue_refresh()
    except CatalogueFetchError:
        raise CatalogueUnavailable(
            details="models.dev could not be reached; the cached catalogue is kept") from None


def _fetch():
    url = setting("MODELS_DEV_URL")
    try:
        response = requests.get(url, timeout=setting("MODELS_DEV_TIMEOUT"),
                                headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    except requests.RequestException as exc:
        raise CatalogueFetchError(f"{url}: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise CatalogueFetchError(f"{url}: HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise CatalogueFetchError(f"{url}: the body is not JSON") from None


# -- normalising -----------------------------------------------------------------------------------------

def parse_catalogue(data) -> dict[str, CatalogueProvider]:
    """models.dev's JSON as providers. Entries that are not objects are skipped, never fatal."""
    if not isinstance(data, dict):
        raise CatalogueFetchError("the catalogue is not a JSON object")
    providers = {}
    for provider_id, raw in data.items():
        if not isinstance(raw, dict) or not provider_id:
            continue
        env = raw.get("env")
        env_var = env[0] if isinstance(env, list) and env and isinstance(env[0], str) and env[0] else None
        raw_models = raw.get("models")
        models = tuple(_parse_model(model_id, raw_model)
                       for model_id, raw_model in (raw_models.items() if isinstance(raw_models, dict) else ())
                       if isinstance(raw_model, dict))
        providers[provider_id] = CatalogueProvider(id=provider_id, name=_text(raw.get("name")) or provider_id,
                                                   api_key_env_var=env_var, models=models)
    if not providers:
        raise CatalogueFetchError("the catalogue lists no providers")
    return providers


def _parse_model(model_id: str, raw: dict) -> CatalogueModel:
    limit = raw.get("limit") if isinstance(raw.get("limit"), dict) else {}
    cost = raw.get("cost") if isinstance(raw.get("cost"), dict) else {}
    modalities = raw.get("modalities") if isinstance(raw.get("modalities"), dict) else {}
    inputs = modalities.get("input") if isinstance(modalities.get("input"), list) else []
    return CatalogueModel(
        id=model_id, name=_text(raw.get("name")) or model_id,
        context=_number(limit.get("context")), max_output=_number(limit.get("output")),
        input_price=_number(cost.get("input")), output_price=_number(cost.get("output")),
        image="image" in inputs or raw.get("attachment") is True, video="video" in inputs,
        tools=raw.get("tool_call") is True,
    )


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _number(value) -> int | float:
    """A JSON number as JavaScript prints it (200000, not 200000.0); anything else is 0."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return 0
    return int(value) if isinstance(value, float) and value.is_integer() else value
