"""Settings shared by every environment, read from the environment through one django-environ reader.

Every variable is documented in `.env.example`. `local.py`, `test.py` and `production.py` adjust
these for their environment; nothing here holds a secret.
"""

import tempfile
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)

# -- Database ---------------------------------------------------------------------------------
# DATABASE_URL names a PostgreSQL >= 15 server with the `vector` extension available. Unset, the
# project runs its own embedded PostgreSQL (core/db/embedded.py): zero set-up for development,
# tests and CI.
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    from core.db.embedded import database_url

    EMBEDDED_POSTGRES_DIR = env.str("EMBEDDED_POSTGRES_DIR", default="") or None
    DATABASES = {"default": environ.Env.db_url_config(database_url(EMBEDDED_POSTGRES_DIR))}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Threads per server process running the sync views (config/asgi.py), and those running the sync parts
# (authentication, lookups) of the async views: sending a message, the event streams, however many.
WSGI_THREADS = env.int("WSGI_THREADS", default=8)
ASGI_SYNC_THREADS = env.int("ASGI_SYNC_THREADS", default=4)
# A pool of connections per process (psycopg_pool), which those threads take a connection from for a
# request and give back: a thread that kept its own (CONN_MAX_AGE) would hold it while idle, and the sync
# worker's and the management commands' threads come and go. The default maximum is one per thread, so a
# request never waits for another's; DB_POOL_MAX bounds what one server process holds (workers x
# (DB_POOL_MAX + 1) must stay under PostgreSQL's max_connections, docs/deployment.md).
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
    "min_size": env.int("DB_POOL_MIN", default=1),
    "max_size": env.int("DB_POOL_MAX", default=WSGI_THREADS + ASGI_SYNC_THREADS),
    # How long a request waits for a connection: also how soon it answers 503 when the database is down.
    "timeout": env.float("DB_POOL_TIMEOUT", default=3.0)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# -- Applications -------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "adrf",  # async DRF views: the OpenCode proxy and its event stream hold no thread while they wait
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and ReDoc served from our static files, not a CDN
    "corsheaders",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "allauth.headless",
]
LOCAL_APPS = [
    "core",
    "accounts",
    "containers",
    "sandboxes",
    "chat",
    "providers",
    "settings_app",
    "activity",
    "knowledge",
    "onboarding",
    "repos",
    "legacy",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RejectNulBytesMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # After CORS, so that a browser can read the 400 or 413 it answers.
    "core.middleware.RejectDeepJsonMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.ApiErrorMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
# The contract's paths have no trailing slash, and a client must never be redirected.
APPEND_SLASH = False
# Every answer is JSON, a CSRF failure of allauth's or the admin's forms included.
CSRF_FAILURE_VIEW = "core.views.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# -- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    # Passwords carried over from Better Auth; upgraded to the first hasher on a successful sign-in.
    "accounts.hashers.BetterAuthScryptPasswordHasher",
]
# The transition window of the migration plan, while a rollback to the old server stays possible: new
# and changed passwords are hashed as Better Auth does, so `export_sqlite` can hand them back and the
# old server verifies them. Off by default: then they get Django's default hasher, and users who set a
# password in the new system must reset it after a rollback (the export lists them).
LEGACY_PASSWORD_TRANSITION = env.bool("LEGACY_PASSWORD_TRANSITION", default=False)
if LEGACY_PASSWORD_TRANSITION:
    PASSWORD_HASHERS = [PASSWORD_HASHERS[-1], *PASSWORD_HASHERS[:-1]]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_REDIRECT_URL = "/"

# django-allauth: e-mail is the login, no usernames; GitHub from the environment.
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_RATE_LIMITS = {"login": "3/10s/ip", "signup": "3/10s/ip", "reset_password": "3/10s/ip",
                       "change_password": "3/10s/user", "login_failed": "10/m/ip,5/300s/key"}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_STORE_TOKENS = True
# The Better Auth bridge sends the browser to the provider with a GET (api/auth/sign-in/social).
SOCIALACCOUNT_LOGIN_ON_GET = True
SOCIALACCOUNT_PROVIDERS = {
    "github": {
        "SCOPE": ["read:user", "user:email"],
        **({"APPS": [{"client_id": env.str("GITHUB_CLIENT_ID"), "secret": env.str("GITHUB_CLIENT_SECRET"),
                      "key": ""}]} if env.str("GITHUB_CLIENT_ID", default="") else {}),
    },
}
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_FRONTEND_URLS: dict = {}

# Better Auth compatibility (accounts/tokens.py): the old server's BETTER_AUTH_SECRET keeps its signed
# tokens and cookies valid; unset, signatures use SECRET_KEY.
BETTER_AUTH_SECRET = env.str("BETTER_AUTH_SECRET", default="") or env.str("AUTH_SECRET", default="")
# The operators' service token (DECISIONS 4; never given to a container, DECISIONS 31). Unset: there is
# no service token at all.
API_TOKEN = env.str("API_TOKEN", default="")
# Sign-in, sign-up and password endpoints, per client IP and path (DECISIONS 8).
AUTH_RATE_LIMIT = env.str("AUTH_RATE_LIMIT", default="3/10s")
# How many proxies stand in front of the server, each appending to X-Forwarded-For: core.http.client_ip
# believes that many entries, for the activity log, the sessions and the rate limits alike. 0 (the default)
# trusts no header: the connection's address is the client's.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

# -- Repositories (repos app) ---------------------------------------------------------------------
# Each user's git repositories live in REPOS_DIR/<user id>/<name>. Unset, they go beside the embedded
# PostgreSQL's data under the system temp dir (development, tests); set it in production.
REPOS_DIR = Path(env.str("REPOS_DIR", default="") or Path(tempfile.gettempdir()) / "agentpod-repos")

# -- Secrets at rest ------------------------------------------------------------------------------
# Provider credentials are encrypted with django-cryptography under CRYPTOGRAPHY_KEY (default: SECRET_KEY).
# Its signature is keyed by SECRET_KEY whatever CRYPTOGRAPHY_KEY is: changing either makes the stored
# credentials unreadable (docs/keys.md).
CRYPTOGRAPHY_KEY = env.str("CRYPTOGRAPHY_KEY", default="") or None

# The old server's ENCRYPTION_KEY, for `import_sqlite` (its --legacy-encryption-key overrides it).
LEGACY_ENCRYPTION_KEY = env.str("LEGACY_ENCRYPTION_KEY", default="") or None

# -- Internationalisation and time ----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")

# -- REST framework -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The first class's authenticate_header keeps 401s from becoming 403s.
        "sandboxes.authentication.SandboxTokenAuthentication",
        "accounts.authentication.BearerSessionAuthentication",
        "accounts.authentication.SessionCookieAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "allauth.headless.contrib.rest_framework.authentication.XSessionTokenAuthentication",
        "accounts.authentication.ServiceTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.IsUser"],
    "DEFAULT_RENDERER_CLASSES": ["core.api.renderers.ORJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler.api_exception_handler",
    # `?format=` is the activity export's own parameter, not DRF's renderer switch.
    "URL_FORMAT_OVERRIDE": None,
    # The same number for DRF's own throttles; ours ask core.http.client_ip.
    "NUM_PROXIES": NUM_PROXIES,
}
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# How long a process keeps verified sessions and users' preferences in memory at most (NotifiedCache in
# core/db/notifications.py); 0 turns that off, as it must be behind a pooler that does not pass LISTEN
# through (PgBouncer in transaction mode).
MEMORY_CACHE_SECONDS = env.float("MEMORY_CACHE_SECONDS", default=30)
SPECTACULAR_SETTINGS = {
    "TITLE": "AgentPod API",
    "DESCRIPTION": "Sandboxes running the OpenCode agent, chat history, provider credentials, preferences.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    # Tags and operation ids start after `/api/` or `/api/v2/`: operations group as auth, sandboxes, providers...
    "SCHEMA_PATH_PREFIX": r"/api(/v2)?/",
    # Choice sets that share a field name ("status") get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "SandboxStatusEnum": "sandboxes.models.SandboxStatus",
        "OAuthStatusEnum": "providers.models.OAuthStatus",
        "KnowledgeCategoryEnum": "knowledge.models.KnowledgeCategory",
    },
    # /api/docs works offline: the UI's JavaScript and CSS come from drf-spectacular-sidecar's static files.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# -- CORS (DECISIONS 9) -------------------------------------------------------------------------
PUBLIC_URL = env.str("MANAGEMENT_API_PUBLIC_URL", default="http://localhost:3001")
CORS_ALLOWED_ORIGINS = env.list(
    "CORS_ALLOWED_ORIGINS",
    default=["http://localhost:1420", "http://localhost:5173", "tauri://localhost", PUBLIC_URL],
)
CORS_ALLOW_CREDENTIALS = True
CORS_ALLOW_METHODS = ["DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT"]
CORS_ALLOW_HEADERS = ["authorization", "content-type", "x-session-token", "x-csrftoken"]
CORS_EXPOSE_HEADERS = ["content-length", "set-auth-token"]
CORS_PREFLIGHT_MAX_AGE = 600

# -- Sandboxes and the container engine ----------------------------------------------------------
# The old server's variables, read here so a deployment keeps its configuration. Every other sandbox
# setting has its default in sandboxes/conf.py or containers/conf.py and may be set here by name.
SANDBOX_DOCKER_HOST = env.str("DOCKER_HOST", default="") or (
    f"unix://{env.str('DOCKER_SOCKET')}" if env.str("DOCKER_SOCKET", default="") else "unix:///var/run/docker.sock")
SANDBOX_CONTAINER_PREFIX = env.str("DOCKER_CONTAINER_PREFIX", default="agentpod")
SANDBOX_NETWORK_MODE = env.str("DOCKER_NETWORK", default="bridge")
SANDBOX_OPENCODE_PORT = env.int("OPENCODE_SERVER_PORT", default=4096)
SANDBOX_IMAGE_REGISTRY = env.str("OPENCODE_REGISTRY_URL", default="")
SANDBOX_IMAGE_OWNER = env.str("OPENCODE_REGISTRY_OWNER", default="")
SANDBOX_IMAGE_TAG = env.str("OPENCODE_CONTAINER_VERSION", default="0.4.0")
# The engine's host folder behind REPOS_DIR, when the API runs in a container with REPOS_DIR mounted from
# the host (a sandbox's workspace is bind-mounted from the engine's host). Unset: the same path.
SANDBOX_REPOS_HOST_DIR = env.str("REPOS_HOST_DIR", default="") or None

# -- Knowledge embeddings (knowledge/embeddings.py) -------------------------------------------------
# An OpenAI-compatible embeddings API: `POST {KNOWLEDGE_EMBEDDINGS_URL}/embeddings` answering 1536-dimensional
# vectors (e.g. https://api.openai.com/v1 with text-embedding-3-small). Unset: no embeddings are computed and
# knowledge search is full-text only.
KNOWLEDGE_EMBEDDINGS_URL = env.str("KNOWLEDGE_EMBEDDINGS_URL", default="")
KNOWLEDGE_EMBEDDINGS_MODEL = env.str("KNOWLEDGE_EMBEDDINGS_MODEL", default="text-embedding-3-small")
KNOWLEDGE_EMBEDDINGS_API_KEY = env.str("KNOWLEDGE_EMBEDDINGS_API_KEY", default="")
KNOWLEDGE_EMBEDDINGS_TIMEOUT = env.float("KNOWLEDGE_EMBEDDINGS_TIMEOUT", default=30.0)
# -- Provider catalogue and GitHub (defaults in providers/conf.py) ------------------------------------
# An air-gapped install points MODELS_DEV_URL at a mirror; the rest tune the outside calls. Each is set
# here only when the environment names it, so providers/conf.py stays the one place of the defaults.
if env.str("MODELS_DEV_URL", default=""):
    MODELS_DEV_URL = env.str("MODELS_DEV_URL")
if env.str("MODELS_DEV_TIMEOUT", default=""):
    MODELS_DEV_TIMEOUT = env.float("MODELS_DEV_TIMEOUT")
if env.str("MODELS_DEV_CACHE_SECONDS", default=""):
    MODELS_DEV_CACHE_SECONDS = env.int("MODELS_DEV_CACHE_SECONDS")
if env.str("MODELS_DEV_RETRY_SECONDS", default=""):
    MODELS_DEV_RETRY_SECONDS = env.int("MODELS_DEV_RETRY_SECONDS")
if env.str("GITHUB_TIMEOUT", default=""):
    GITHUB_TIMEOUT = env.float("GITHUB_TIMEOUT")

# -- Logging ------------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # One line per OpenCode call is noise; the OpenCode client logs what goes wrong itself.
    "loggers": {"httpx": {"level": "WARNING"}},
}
