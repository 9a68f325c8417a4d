"""factory-boy factories, one per model, with SubFactory for every foreign key."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import Account, Session, User, Verification
from activity.models import ActivityLog, ActivityLogArchive
from chat.models import ChatMessage, ChatSession
from containers.models import ContainerAddon, ContainerFlavor, ContainerTier, ResourceTier
from core.ids import session_token
from core.models import Setting
from knowledge.models import KnowledgeDocument
from onboarding.models import OnboardingSession
from providers.models import LegacyProvider, OAuthState, ProviderCredential
from sandboxes.models import Sandbox
from settings_app.models import UserOpencodeConfig, UserOpencodeFile, UserPreferences

DEFAULT_PASSWORD = "correct horse battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    user = factory.SubFactory(UserFactory)
    token = factory.LazyFunction(session_token)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    user = factory.SubFactory(UserFactory)
    provider_id = "github"
    account_id = factory.Sequence(lambda n: str(1000 + n))


class VerificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Verification

    identifier = factory.Sequence(lambda n: f"state-{n}")
    value = "{}"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=10))


class ResourceTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourceTier

    id = factory.Sequence(lambda n: f"tier-{n}")
    name = factory.Sequence(lambda n: f"Tier {n}")
    cpu_cores = 2
    memory_gb = 4
    storage_gb = 30
    sort_order = factory.Sequence(lambda n: 100 + n)


class ContainerFlavorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContainerFlavor

    id = factory.Sequence(lambda n: f"flavor-{n}")
    name = factory.Sequence(lambda n: f"Flavor {n}")
    languages = ["python"]
    sort_order = factory.Sequence(lambda n: 100 + n)


class ContainerAddonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContainerAddon

    id = factory.Sequence(lambda n: f"addon-{n}")
    name = factory.Sequence(lambda n: f"Addon {n}")
    category = "tools"
    sort_order = factory.Sequence(lambda n: 100 + n)


class ContainerTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContainerTier

    id = factory.Sequence(lambda n: f"ctier-{n}")
    name = factory.Sequence(lambda n: f"Container tier {n}")
    image_type = "cli"
    cpu_limit = "1"
    memory_limit = "2g"
    storage_gb = 20


class SandboxFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sandbox

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Sandbox {n}")
    slug = factory.Sequence(lambda n: f"sandbox-{n}")
    repo_name = factory.LazyAttribute(lambda o: o.slug)


class ChatSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatSession

    sandbox = factory.SubFactory(SandboxFactory)
    user = factory.LazyAttribute(lambda o: o.sandbox.user)
    source = "opencode"
    opencode_session_id = factory.Sequence(lambda n: f"ses_{n:06d}")
    title = factory.Sequence(lambda n: f"Chat {n}")


class ChatMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatMessage

    session = factory.SubFactory(ChatSessionFactory)
    role = "user"
    content = factory.LazyFunction(lambda: {"parts": [{"type": "text", "text": "hello"}]})


class ProviderCredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderCredential

    user = factory.SubFactory(UserFactory)
    provider_id = factory.Sequence(lambda n: f"provider-{n}")
    auth_type = "api_key"
    api_key = factory.Sequence(lambda n: f"sk-test-{n:08d}")


class OAuthStateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OAuthState

    user = factory.SubFactory(UserFactory)
    provider_id = "github-copilot"
    device_code = factory.Sequence(lambda n: f"device-{n}")
    user_code = factory.Sequence(lambda n: f"ABCD-{n:04d}")
    verification_uri = "https://github.com/login/device"
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(minutes=15))


class LegacyProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegacyProvider

    id = factory.Sequence(lambda n: f"legacy-provider-{n}")
    name = factory.Sequence(lambda n: f"Legacy provider {n}")
    type = "api_key"


class SettingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Setting

    key = factory.Sequence(lambda n: f"setting_{n}")
    value = "true"


class UserOpencodeConfigFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserOpencodeConfig

    user = factory.SubFactory(UserFactory)
    settings = factory.LazyFunction(lambda: {"model": "anthropic/claude-sonnet-4-5"})


class UserOpencodeFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserOpencodeFile

    user = factory.SubFactory(UserFactory)
    type = "agent"
    name = factory.Sequence(lambda n: f"agent-{n}")
    extension = "md"
    content = "# Agent\n"


class UserPreferencesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserPreferences

    user = factory.SubFactory(UserFactory)


class ActivityLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityLog

    user = factory.SubFactory(UserFactory)
    action = "sandbox.create"
    entity_type = "sandbox"
    entity_id = factory.Sequence(lambda n: f"sbx{n:09d}")


class ActivityLogArchiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityLogArchive

    action = "sandbox.create"
    entity_type = "sandbox"
    original_created_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=120))


class KnowledgeDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KnowledgeDocument

    category = "best_practice"
    title = factory.Sequence(lambda n: f"Document {n}")
    content = "Write tests."


class OnboardingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OnboardingSession

    user = factory.SubFactory(UserFactory)
    sandbox = factory.SubFactory(SandboxFactory, user=factory.SelfAttribute("..user"))
