"""`/api/onboarding/*` (api-contract 2.15): the 18 endpoints of the guided set-up of a sandbox.

Owner-scoped (DECISIONS 1): every session is looked up among the caller's, so another user's answers as a
missing one, and a `sandboxId` in a body names one of the caller's sandboxes or is a 404. Users only: the
service token and sandbox credentials get 403 (core.api.permissions.IsUser, the default).
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import ApiError, NotFound
from core.api.schema import error_responses
from core.api.views import OwnerScopedMixin
from core.serializers import parse_query
from knowledge.provider_guides import onboarding_setup_guide

from .. import selectors, services
from ..models import OnboardingSession
from . import serializers as s

SESSION_ID = OpenApiParameter("onboarding_id", str, OpenApiParameter.PATH, description="The session's id")
E404 = "Onboarding session not found: <id>"
USER_ONLY = error_responses(401, 403)


def _body(serializer_class, request) -> dict:
    body = serializer_class(data=request.data)
    body.is_valid(raise_exception=True)
    return body.validated_data


def _session(session: OnboardingSession, code: int = status.HTTP_200_OK) -> Response:
    return Response({"session": s.OnboardingSessionSerializer(session).data}, status=code)


class SessionView(OwnerScopedMixin, APIView):
    """The base of the `/:id...` endpoints: the caller's session, or 404 with the contract's message."""

    def session(self, onboarding_id: str) -> OnboardingSession:
        return self.get_owned(
            OnboardingSession.objects.select_related("sandbox"),
            not_found=f"Onboarding session not found: {onboarding_id}",
            pk=onboarding_id,
        )


class OnboardingListView(APIView):
    @extend_schema(
        summary="The caller's onboarding sessions, newest first",
        operation_id="onboarding_list",
        parameters=[s.OnboardingSessionListQuery],
        responses={200: s.OnboardingSessionListResponse, **USER_ONLY},
    )
    def get(self, request):
        query = parse_query(s.OnboardingSessionListQuery, request)
        sessions = selectors.session_list(user=request.user, status=query.get("status"))
        return Response({"sessions": s.OnboardingSessionSerializer(sessions, many=True).data})

    @extend_schema(
        summary="A pending onboarding session, for one of the caller's sandboxes or none",
        request=s.OnboardingCreateRequest,
        responses={
            201: s.OnboardingSessionResponse,
            200: OpenApiResponse(s.OnboardingSessionResponse, description="The sandbox's existing session"),
            **error_responses(400, 404, e404="Sandbox not found: <sandboxId>"),
            **USER_ONLY,
        },
    )
    def post(self, request):
        body = _body(s.OnboardingCreateRequest, request)
        session, created = services.session_create(user=request.user, sandbox_id=body.get("sandboxId"))
        return _session(session, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class OnboardingStatsView(APIView):
    @extend_schema(
        summary="Counts of the caller's onboarding sessions by outcome",
        responses={200: s.OnboardingStatsResponse, **USER_ONLY},
    )
    def get(self, request):
        return Response({"stats": selectors.session_stats(user=request.user)})


class ModelRecommendView(APIView):
    @extend_schema(
        summary="A model recommendation among the providers the caller configured",
        parameters=[s.OnboardingRecommendQuery],
        responses={
            200: s.OnboardingRecommendationResponse,
            **error_responses(503, e503="Provider catalogue unavailable (models.dev never reached)"),
            **USER_ONLY,
        },
    )
    def get(self, request):
        query = parse_query(s.OnboardingRecommendQuery, request)
        return Response(
            {
                "recommendation": selectors.model_recommendation(
                    user=request.user,
                    prefer_low_cost=query["preferLowCost"],
                    prefer_fast=query["preferFast"],
                    require_large_context=query["requireLargeContext"],
                )
            }
        )


class ProviderSetupView(APIView):
    @extend_schema(
        summary="How to get and enter a provider's API key",
        parameters=[OpenApiParameter("provider_id", str, OpenApiParameter.PATH)],
        responses={200: s.OnboardingSetupGuideResponse, **USER_ONLY},
    )
    def get(self, request, provider_id):
        return Response({"guide": onboarding_setup_guide(provider_id)})


class SandboxSessionView(APIView):
    @extend_schema(
        summary="The onboarding session of one of the caller's sandboxes",
        parameters=[OpenApiParameter("sandbox_id", str, OpenApiParameter.PATH)],
        responses={
            200: s.OnboardingSessionResponse,
            **error_responses(404, e404="Onboarding session not found for this sandbox"),
            **USER_ONLY,
        },
    )
    def get(self, request, sandbox_id):
        session = selectors.session_for_sandbox(user=request.user, sandbox_id=sandbox_id)
        if session is None:
            raise NotFound("Onboarding session not found for this sandbox")
        return _session(session)


class OnboardingDetailView(SessionView):
    @extend_schema(
        summary="One onboarding session",
        operation_id="onboarding_retrieve",
        parameters=[SESSION_ID],
        responses={200: s.OnboardingSessionResponse, **error_responses(404, e404=E404), **USER_ONLY},
    )
    def get(self, request, onboarding_id):
        return _session(self.session(onboarding_id))

    @extend_schema(
        summary="Delete an onboarding session",
        parameters=[SESSION_ID],
        responses={200: s.OnboardingDeletedResponse, **error_responses(404, e404=E404), **USER_ONLY},
    )
    def delete(self, request, onboarding_id):
        services.session_delete(session=self.session(onboarding_id))
        return Response({"success": True})


def _step(summary: str, service, request_serializer=None, arguments=None, **extra):
    """A `POST /:id/<step>` view: parse the body, run the service on the caller's session, answer it."""

    class StepView(SessionView):
        @extend_schema(
            summary=summary,
            parameters=[SESSION_ID],
            request=request_serializer,
            responses={
                200: s.OnboardingSessionResponse,
                **error_responses(*((400,) if request_serializer else ()), 404, e404=E404),
                **USER_ONLY,
            },
            **extra,
        )
        def post(self, request, onboarding_id):
            session = self.session(onboarding_id)
            body = _body(request_serializer, request) if request_serializer else {}
            return _session(service(session=session, **(arguments(body) if arguments else {})))

    return StepView.as_view()


start = _step("Start onboarding (status started)", services.session_start)
skip = _step("Skip onboarding (status skipped)", services.session_skip)
requirements = _step(
    "Save what the project is (copied to projectType, projectName, projectDescription)",
    services.session_requirements_save,
    s.OnboardingRequirementsRequest,
    lambda body: {"requirements": body},
)
models = _step(
    "Save the selected models",
    services.session_models_save,
    s.OnboardingModelsRequest,
    lambda body: {"primary_model": body["primaryModel"], "small_model": body.get("smallModel")},
)
complete = _step(
    "Complete onboarding with the generated config (status completed)",
    services.session_complete,
    s.OnboardingCompleteRequest,
    lambda body: {"config": body["config"]},
)


class ResetView(SessionView):
    @extend_schema(
        summary="Back to pending, clearing the project, requirements, config and (unless "
        "preserveModels) the models",
        parameters=[SESSION_ID],
        request=s.OnboardingResetRequest,
        responses={200: s.OnboardingSessionResponse, **error_responses(404, e404=E404), **USER_ONLY},
    )
    def post(self, request, onboarding_id):
        session = self.session(onboarding_id)
        try:
            data = request.data
        except (exceptions.ParseError, ApiError):
            data = {}  # the old endpoint ignored a body it could not read
        preserve = isinstance(data, dict) and data.get("preserveModels") is True
        return _session(services.session_reset(session=session, preserve_models=preserve))


class LinkView(SessionView):
    @extend_schema(
        summary="Attach the session to one of the caller's sandboxes",
        parameters=[SESSION_ID],
        request=s.OnboardingLinkRequest,
        responses={
            200: s.OnboardingSessionResponse,
            **error_responses(
                400,
                404,
                409,
                e404=f"{E404}, or Sandbox not found: <sandboxId>",
                e409="Sandbox already has an onboarding session",
            ),
            **USER_ONLY,
        },
    )
    def post(self, request, onboarding_id):
        session = self.session(onboarding_id)
        body = _body(s.OnboardingLinkRequest, request)
        return _session(services.session_link(session=session, sandbox_id=body["sandboxId"]))


class ApplyView(SessionView):
    @extend_schema(
        summary="Write the generated OpenCode config into the running sandbox, then reload OpenCode",
        description="Writes `opencode.json`, `AGENTS.md`, `.opencode/agent/<name>.md` and "
        "`.opencode/command/<name>.md` in the sandbox's workspace as one archive. On a 503 "
        "nothing was written and the session is `failed` with the message.",
        parameters=[SESSION_ID, s.OnboardingApplyQuery],
        request=None,
        responses={
            200: s.OnboardingApplyResponse,
            **error_responses(
                400,
                404,
                409,
                e404=E404,
                e409="Session has no associated sandbox, or its stored config cannot be written",
            ),
            503: OpenApiResponse(
                s.OnboardingApplyErrorSerializer, description="Sandbox is not running, or the engine failed"
            ),
            **USER_ONLY,
        },
    )
    def post(self, request, onboarding_id):
        session = self.session(onboarding_id)
        query = parse_query(s.OnboardingApplyQuery, request)
        result = services.session_apply(session=session, reload=query["reload"])
        return Response(
            {
                "success": True,
                "filesWritten": result.files_written,
                "reloaded": result.reloaded,
                "session": s.OnboardingSessionSerializer(result.session).data,
            }
        )


class AppliedConfigView(SessionView):
    @extend_schema(
        summary="The OpenCode config files in the sandbox's workspace now",
        parameters=[SESSION_ID],
        responses={
            200: s.OnboardingAppliedConfigResponse,
            **error_responses(
                404,
                409,
                503,
                e404=E404,
                e409="Session has no associated sandbox",
                e503="Sandbox is not running, or the engine failed",
            ),
            **USER_ONLY,
        },
    )
    def get(self, request, onboarding_id):
        session = self.session(onboarding_id)
        config = services.session_applied_config(session=session)
        return Response({"config": config, "session": s.OnboardingSessionSerializer(session).data})


class ValidateSandboxView(SessionView):
    @extend_schema(
        summary="Whether the session's sandbox can take the config now",
        parameters=[SESSION_ID],
        responses={200: s.OnboardingValidateResponse, **error_responses(404, e404=E404), **USER_ONLY},
    )
    def get(self, request, onboarding_id):
        return Response(services.session_sandbox_validate(session=self.session(onboarding_id)))
