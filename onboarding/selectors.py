"""Onboarding reads: the caller's sessions and their counts, and model recommendations.

Everything is scoped to the caller (DECISIONS 1): another user's session is never listed or counted.
Recommendations come from the provider catalogue (models.dev) and only the caller's own credentials
(DECISIONS 5); the old server read every user's credentials.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from providers.catalogue import CatalogueModel, CatalogueProvider, catalogue_providers
from providers.selectors import configured_provider_ids, default_provider_id

from .models import OnboardingSession, OnboardingStatus

IN_PROGRESS = (
    OnboardingStatus.PENDING,
    OnboardingStatus.STARTED,
    OnboardingStatus.GATHERING,
    OnboardingStatus.GENERATING,
    OnboardingStatus.APPLYING,
)


def sessions(*, user) -> QuerySet[OnboardingSession]:
    """The caller's sessions: the base of every lookup, so no view reaches another user's."""
    return OnboardingSession.objects.filter(user=user)


def session_list(*, user, status: str | None = None) -> QuerySet[OnboardingSession]:
    """Newest first. An unknown status matches nothing (the old filter was an exact match in memory)."""
    queryset = sessions(user=user).order_by("-created_at", "id")
    return queryset.filter(status=status) if status else queryset


def session_for_sandbox(*, user, sandbox_id: str) -> OnboardingSession | None:
    return sessions(user=user).filter(sandbox_id=sandbox_id).first()


def session_stats(*, user) -> dict:
    """`{total, completed, skipped, failed, inProgress}` of the caller's sessions, in one query."""
    return sessions(user=user).aggregate(
        total=Count("id"),
        completed=Count("id", filter=Q(status=OnboardingStatus.COMPLETED)),
        skipped=Count("id", filter=Q(status=OnboardingStatus.SKIPPED)),
        failed=Count("id", filter=Q(status=OnboardingStatus.FAILED)),
        inProgress=Count("id", filter=Q(status__in=IN_PROGRESS)),
    )


# -- model recommendations ---------------------------------------------------------------------------------

NO_PROVIDER_REASONING = (
    "No AI providers are configured. To use the AI assistant, please configure at least one provider "
    "(Anthropic, OpenAI, Google, etc.) with your API key."
)
MAX_ALTERNATIVES = 5
# A context window this large or larger counts as "large" for `requireLargeContext`.
LARGE_CONTEXT = 500_000


@dataclass(frozen=True)
class _Candidate:
    provider: CatalogueProvider
    model: CatalogueModel

    @property
    def cost(self) -> float:
        return self.model.input_price + self.model.output_price


def _capability(candidate: _Candidate) -> tuple:
    # models.dev has no capability score: the price is the proxy (the most expensive model of a provider
    # is its flagship), then the context window; the id keeps the order stable.
    return (-candidate.model.output_price, -candidate.model.context, candidate.model.id)


def model_recommendation(
    *, user, prefer_low_cost: bool = False, prefer_fast: bool = False, require_large_context: bool = False
) -> dict:
    """`GET /api/onboarding/models/recommend`: a primary model, a small model and alternatives among the
    providers the caller configured. Model ids are bare (no provider prefix), as the old server's.

    Strategy precedence: requireLargeContext > preferLowCost > preferFast > the most capable model of the
    caller's default provider (else of their first configured one). Models that cannot call tools are
    left out when others can, since an agent needs tools. Raises `CatalogueUnavailable` (503) when
    models.dev was never reached; a caller without credentials never needs the catalogue.
    """
    configured = configured_provider_ids(user=user)
    if not configured:
        return {
            "primaryModelId": "",
            "primaryModelName": "No model available",
            "primaryProvider": "",
            "reasoning": NO_PROVIDER_REASONING,
            "alternativeModelIds": [],
        }
    default = default_provider_id(user=user)
    providers = [p for p in catalogue_providers().values() if p.id in configured]
    # The default provider first, then catalogue order.
    providers.sort(key=lambda provider: provider.id != default)
    candidates = [_Candidate(p, m) for p in providers for m in p.models]
    if any(c.model.tools for c in candidates):
        candidates = [c for c in candidates if c.model.tools]
    if not candidates:
        return {
            "primaryModelId": "",
            "primaryModelName": "No model available",
            "primaryProvider": "",
            "reasoning": "Your configured providers offer no model in the catalogue.",
            "alternativeModelIds": [],
        }

    home = [c for c in candidates if c.provider is providers[0]] or candidates
    if require_large_context:
        primary = min(candidates, key=lambda c: (-c.model.context, *_capability(c)))
        large = "" if primary.model.context >= LARGE_CONTEXT else " (the largest you have)"
        reasoning = (
            f"{primary.model.name} from {primary.provider.name} has a large context window of "
            f"{int(primary.model.context):,} tokens{large}, for big codebases and long documents."
        )
    elif prefer_low_cost:
        primary = min(candidates, key=lambda c: (c.cost, *_capability(c)))
        reasoning = (
            f"{primary.model.name} from {primary.provider.name} is chosen for cost-effectiveness: "
            f"the lowest price among your providers' models ({_price(primary.model)})."
        )
    elif prefer_fast:
        # Smaller, cheaper models answer faster; models.dev publishes no latency.
        primary = min(home, key=lambda c: (c.cost, *_capability(c)))
        reasoning = (
            f"{primary.model.name} from {primary.provider.name} is a small model chosen for fast "
            f"response times."
        )
    else:
        primary = min(home, key=_capability)
        which = "default" if primary.provider.id == default else "configured"
        reasoning = (
            f"{primary.model.name} is the most capable model of your {which} provider "
            f"{primary.provider.name}, a good fit for coding with tools."
        )

    recommendation = {
        "primaryModelId": primary.model.id,
        "primaryModelName": primary.model.name,
        "primaryProvider": primary.provider.id,
    }
    # The small model (titles, summaries): the cheapest other model of the primary's provider.
    small = min(
        (c for c in candidates if c.provider is primary.provider and c.model is not primary.model),
        key=lambda c: (c.cost, c.model.id),
        default=None,
    )
    if small is not None:
        recommendation.update(
            smallModelId=small.model.id, smallModelName=small.model.name, smallProvider=small.provider.id
        )
    alternatives = sorted((c for c in candidates if c.model is not primary.model), key=_capability)
    recommendation.update(
        reasoning=reasoning, alternativeModelIds=[c.model.id for c in alternatives[:MAX_ALTERNATIVES]]
    )
    return recommendation


def _price(model: CatalogueModel) -> str:
    if not (model.input_price or model.output_price):
        return "no charge per token"
    return f"${model.input_price:g} in / ${model.output_price:g} out per million tokens"
