"""Driftwood settings: every value comes from the environment with a safe default.

Three ways to run share this file (see README): embedded (no DATABASE_URL/REDIS_URL,
started by `make run`), services (DATABASE_URL/REDIS_URL set) and production
(DJANGO_DEBUG=false plus real secrets).
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from driftwood import redis_settings, schema_settings
from driftwood.csp_settings import content_security_policy
from driftwood.integration_settings import webhook_settings
from driftwood.observability_settings import observability_settings

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The development tools (driftwood/dev: fake bank, localstripe card step, Firebase doubles,
# `seed_demo`): installed with DEBUG unless said otherwise, never in production (`check --deploy`
# fails while they are).
DRIFTWOOD_DEV_TOOLS = env.bool("DRIFTWOOD_DEV_TOOLS", default=DEBUG)
# The development default is flagged by `manage.py check --deploy`; production sets its own.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="django-insecure-driftwood-development-only")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "corsheaders",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "pgtrigger",
    "driftwood.core",
    "driftwood.accounts",
    "driftwood.notifications",
    "tournaments",
    "wallet",
    "social",
    "chat",
    "integrations",
    *(["driftwood.dev"] if DRIFTWOOD_DEV_TOOLS else []),
]

MIDDLEWARE = [
    "driftwood.observability.middleware.RequestObservabilityMiddleware",
    "driftwood.core.middleware.RequestBodyGuardMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "driftwood.core.csp.SiteCSPMiddleware",
    "driftwood.core.static_files.StaticFilesMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "driftwood.accounts.language.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "driftwood.core.middleware.ApiErrorEnvelopeMiddleware",
    "driftwood.core.middleware.ApiUtcMiddleware",
]

ROOT_URLCONF = "driftwood.urls"
ASGI_APPLICATION = "driftwood.asgi.application"
WSGI_APPLICATION = "driftwood.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "driftwood.notifications.context_processors.unread_count",
                "chat.context_processors.unread_chat_count",
                "driftwood.core.context_processors.live_page",
                "driftwood.core.context_processors.page_strings",
            ],
        },
    },
]

# --- Database: PostgreSQL only. Without DATABASE_URL we expect the embedded server that
# `make run` / `make test` start (see driftwood/core/embedded.py), which exports it.
DATABASES = {"default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/driftwood")}
# A unix-socket URL (postgres://user@/db?host=/socket/dir) names its directory in the query.
if not DATABASES["default"]["HOST"] and "host" in DATABASES["default"].get("OPTIONS", {}):
    DATABASES["default"]["HOST"] = DATABASES["default"]["OPTIONS"].pop("host")
if env.bool("DATABASE_POOL", default=False):
    # Django's psycopg pool; keep CONN_MAX_AGE at 0 when pooling.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=2),
        "max_size": env.int("DATABASE_POOL_MAX", default=10),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Parameters bound by PostgreSQL, so psycopg prepares a statement run N times on a connection (no
# planning after that: half a match report's database time); 0: never prepare (PgBouncer, transaction mode).
DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = env.int("DATABASE_PREPARE_THRESHOLD", 5) or None
DATABASES["default"]["OPTIONS"]["server_side_binding"] = env.bool("DATABASE_SERVER_SIDE_BINDING", default=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Redis: cache, sessions, rate limits, presence, channel layer, Celery broker.
REDIS_URL = env.str("REDIS_URL", default="")
# Redis down is survived (driftwood/core/redis_outage.py): calls give up after this timeout, and
# after a failure the process skips Redis for the retry interval before trying it again.
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=1.0)
REDIS_OUTAGE_RETRY_SECONDS = env.float("REDIS_OUTAGE_RETRY_SECONDS", default=2.0)
CHANNEL_LAYER_BLOCK_SECONDS = redis_settings.CHANNEL_LAYER_BLOCK_SECONDS
if REDIS_URL:
    CACHES = redis_settings.redis_caches(
        REDIS_URL, timeout=REDIS_SOCKET_TIMEOUT, key_prefix=env.str("CACHE_KEY_PREFIX", default="driftwood")
    )
    CHANNEL_LAYERS = redis_settings.channel_layers_from_env(REDIS_URL, timeout=REDIS_SOCKET_TIMEOUT, env=env)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# --- Languages: English (default) and Bahasa Melayu. A page's language: the player's stored
# choice (User.language) when logged in, else the language cookie the switcher sets, else the
# browser's Accept-Language. The API: Accept-Language when sent, else the caller's stored choice.
# Catalogues: locale/<code>/LC_MESSAGES/django.po, compiled to .mo by `python -m driftwood.core.catalogues`.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ms", "Bahasa Melayu")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Asia/Kuala_Lumpur"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / ".data" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed names once `collectstatic` has run (the Docker image does);
        # plain names served from the finders before that (embedded mode, tests).
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.bool("STATIC_MANIFEST", default=(STATIC_ROOT / "staticfiles.json").exists())
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads (dispute evidence). Never served directly: a view checks who may see each file.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".data" / "media")

# Serve from the finders when nothing was collected (embedded mode and tests).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)

# --- Security. Production sets DJANGO_DEBUG=false and serves behind HTTPS.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False) else None
)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG and SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Proxies whose X-Forwarded-For we believe; everyone else is identified by the socket.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = (
    "accept",
    "authorization",
    "content-type",
    "idempotency-key",
    "x-csrftoken",
    "x-requested-with",
)
CORS_EXPOSE_HEADERS = ("retry-after", "x-process-time", "x-request-id")

# --- REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "driftwood.accounts.authentication.BearerJWTAuthentication",
        "driftwood.accounts.authentication.LanguageSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["driftwood.core.parsers.DecimalJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["driftwood.core.throttles.TieredRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "driftwood.core.pagination.PagePagination",
    "DEFAULT_SCHEMA_CLASS": "driftwood.core.schema.DriftwoodAutoSchema",
    "EXCEPTION_HANDLER": "driftwood.core.errors.api_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

# Requests per minute for each kind of caller (contract: "Rate limits").
RATE_LIMITS = {
    "staff": env.str("RATE_LIMIT_STAFF", default="1000/m"),
    "premium": env.str("RATE_LIMIT_PREMIUM", default="200/m"),
    "user": env.str("RATE_LIMIT_USER", default="100/m"),
    "anon": env.str("RATE_LIMIT_ANON", default="30/m"),
    "money": env.str("RATE_LIMIT_MONEY", default="30/m"),
    "event_create": env.str("RATE_LIMIT_EVENT_CREATE", default="20/h"),
    "login_failures_per_username": env.str("RATE_LIMIT_LOGIN_USERNAME", default="5/m"),
    "login_failures_per_ip": env.str("RATE_LIMIT_LOGIN_IP", default="20/m"),
}
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
# django-ratelimit warns about non-shared caches; the local-memory cache is only used
# in the single-process embedded mode.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "UPDATE_LAST_LOGIN": True,
    # Tokens carry a hash of the password: a changed or reset password revokes every earlier one.
    "CHECK_REVOKE_TOKEN": True,
}
# Where the site is, for links in e-mails (never the request's Host header, which a client sets).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
PASSWORD_RESET_TIMEOUT = 3600  # a reset link works for an hour (and once)

SPECTACULAR_SETTINGS = schema_settings.SPECTACULAR_SETTINGS

IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
SLOW_REQUEST_SECONDS = env.float("SLOW_REQUEST_SECONDS", default=2.0)

# --- Celery. Without a broker (embedded mode) tasks run eagerly in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True

# --- Organizer webhooks (driftwood/integration_settings.py).
vars().update(webhook_settings(env, debug=DEBUG))

# --- E-mail: console by default, SMTP (or anything) from EMAIL_URL.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Driftwood <no-reply@driftwood.my>")

# --- Stripe (wallet issue) and Firebase (notifications) read their keys here.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="sk_test_driftwood")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="whsec_driftwood_dev")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="pk_test_driftwood")
# The SDK's wait before its first network retry (later ones double, with jitter).
STRIPE_RETRY_DELAY_SECONDS = env.float("STRIPE_RETRY_DELAY_SECONDS", default=0.5)
# localstripe serves a Stripe.js stand-in under its own base URL.
STRIPE_JS_URL = env.str(
    "STRIPE_JS_URL",
    default=f"{STRIPE_API_BASE.rstrip('/')}/js.stripe.com/v3/" if STRIPE_API_BASE else "https://js.stripe.com/v3/",
)

# --- Content-Security-Policy on every response (driftwood/csp_settings.py).
CONTENT_SECURITY_POLICY = content_security_policy(stripe_js_url=STRIPE_JS_URL)

# localstripe's Stripe.js cannot attach a card by itself; with a stand-in API the pages
# finish that step through driftwood/dev/localstripe_card.py. Never with real Stripe.
STRIPE_LOCAL_CARD_SHIM = env.bool("STRIPE_LOCAL_CARD_SHIM", default=DRIFTWOOD_DEV_TOOLS and bool(STRIPE_API_BASE))
if STRIPE_LOCAL_CARD_SHIM and not DRIFTWOOD_DEV_TOOLS:
    raise ImproperlyConfigured("STRIPE_LOCAL_CARD_SHIM is served by the development tools: set DRIFTWOOD_DEV_TOOLS.")
# localstripe has no FPX or GrabPay: with a stand-in API, those payments open through
# driftwood/dev/stripe_redirects.py (a fake bank / e-wallet page that pays or fails the intent at
# localstripe, whose signed webhook then arrives as Stripe's would). Never with real Stripe.
STRIPE_REDIRECT_STAND_IN = env.bool("STRIPE_REDIRECT_STAND_IN", default=DRIFTWOOD_DEV_TOOLS and bool(STRIPE_API_BASE))
if STRIPE_REDIRECT_STAND_IN and not (DRIFTWOOD_DEV_TOOLS and STRIPE_API_BASE):
    raise ImproperlyConfigured(
        "STRIPE_REDIRECT_STAND_IN is served by the development tools against a Stripe stand-in: "
        "set DRIFTWOOD_DEV_TOOLS and STRIPE_API_BASE."
    )
# A top-up or FPX entry fee still unpaid this long after it was opened is cancelled at Stripe
# (the player left the bank's page): nothing stays pending for ever.
PAYMENT_ABANDON_MINUTES = env.float("PAYMENT_ABANDON_MINUTES", default=60.0)

# --- Wallet. Bank account numbers are Fernet-encrypted with the first key; older keys
# still decrypt until `manage.py rotate_encryption_keys` has re-encrypted every row.
# The development default is refused by `check --deploy` (wallet/checks.py).
DEV_FIELD_ENCRYPTION_KEY = "ZHJpZnR3b29kLWRldmVsb3BtZW50LW9ubHkta2V5ISE="
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[DEV_FIELD_ENCRYPTION_KEY])
BANK_API_URL = env.str("BANK_API_URL", default="http://127.0.0.1:8430")
BANK_API_KEY = env.str("BANK_API_KEY", default="bank-dev-key")
BANK_API_TIMEOUT_SECONDS = env.float("BANK_API_TIMEOUT_SECONDS", default=10.0)
# A payout whose outcome is unknown (timeout, 5xx) is retried by the same reference: after
# the base delay, doubling per attempt, capped; staff are alerted once it has been processing
# longer than the alert age.
WITHDRAWAL_PAYOUT_RETRY_BASE_SECONDS = env.float("WITHDRAWAL_PAYOUT_RETRY_BASE_SECONDS", default=30.0)
WITHDRAWAL_PAYOUT_RETRY_MAX_SECONDS = env.float("WITHDRAWAL_PAYOUT_RETRY_MAX_SECONDS", default=3600.0)
WITHDRAWAL_PROCESSING_ALERT_MINUTES = env.float("WITHDRAWAL_PROCESSING_ALERT_MINUTES", default=60.0)
WALLET_CACHE_SECONDS = 3600
TOPUP_MIN, TOPUP_MAX = Decimal("1.00"), Decimal("10000.00")
WITHDRAWAL_MIN, WITHDRAWAL_MAX = Decimal("10.00"), Decimal("5000.00")
WITHDRAWAL_FEE = Decimal("1.00")
FRAUD_DAILY_WITHDRAWN_LIMIT = Decimal(env.str("FRAUD_DAILY_WITHDRAWN_LIMIT", default="10000.00"))
FRAUD_HOURLY_REQUEST_LIMIT = env.int("FRAUD_HOURLY_REQUEST_LIMIT", default=5)
FRAUD_AVERAGE_MULTIPLIER = Decimal(env.str("FRAUD_AVERAGE_MULTIPLIER", default="3"))
FRAUD_LARGE_AMOUNT = Decimal(env.str("FRAUD_LARGE_AMOUNT", default="1000.00"))
FRAUD_BANK_CHANGE_HOURS = env.int("FRAUD_BANK_CHANGE_HOURS", default=24)
# Share of entry fees the platform keeps when an event completes (tournaments).
PLATFORM_FEE_PERCENT = Decimal(env.str("PLATFORM_FEE_PERCENT", default="10"))

# --- Brackets. Results stay open to disputes this long after the last match before the prize
# pool and entry fees leave escrow (`manage.py process_results`, and the beat every 10 minutes).
RESULTS_DISPUTE_WINDOW = timedelta(hours=env.float("RESULTS_DISPUTE_WINDOW_HOURS", default=24.0))
DISPUTE_EVIDENCE_MAX_BYTES = env.int("DISPUTE_EVIDENCE_MAX_BYTES", default=5 * 1024 * 1024)
# Players of a scheduled match are reminded this long before its round starts (the beat, every minute).
MATCH_REMINDER_MINUTES = env.int("MATCH_REMINDER_MINUTES", default=15)

# --- Chat real time. A socket refreshes its presence entry every heartbeat; an entry not
# refreshed for the TTL (its process died) no longer counts, so nobody stays online forever.
CHAT_PRESENCE_TTL_SECONDS = env.float("CHAT_PRESENCE_TTL_SECONDS", default=60.0)
CHAT_HEARTBEAT_SECONDS = env.float("CHAT_HEARTBEAT_SECONDS", default=20.0)
CHAT_TYPING_SECONDS = env.float("CHAT_TYPING_SECONDS", default=3.0)
# Where pages open their sockets when WebSockets are served apart from the pages (`make serve`:
# another port); empty = the page's own origin, as behind the production proxy.
WEBSOCKET_ORIGIN = env.str("WEBSOCKET_ORIGIN", default="").rstrip("/")
# The browser pages' waits (ms), on <body> as data-* (the browser tests shrink them): a dropped
# socket's first retry (doubling from there), the event page's polling while its socket is down,
# and the polling for a card payment's webhook.
PAGE_RECONNECT_MIN_MS = env.int("PAGE_RECONNECT_MIN_MS", default=1000)
PAGE_EVENT_POLL_MS = env.int("PAGE_EVENT_POLL_MS", default=5000)
PAGE_PAYMENT_POLL_MS = env.int("PAGE_PAYMENT_POLL_MS", default=1000)
# Firebase service-account credentials (a file path or the JSON itself). Without them, pushes
# and the Firestore mirror go to stand-ins: the development tools' doubles, which record what
# would have been sent; in production a push sender that only logs (pushes are off), and no
# mirror at all (asking for one is refused).
FIREBASE_CREDENTIALS = env.str("FIREBASE_CREDENTIALS", default="")
CHAT_FIRESTORE_MIRROR = env.bool("CHAT_FIRESTORE_MIRROR", default=False)
PUSH_STAND_IN = (
    "driftwood.dev.firebase.FakePushSender" if DRIFTWOOD_DEV_TOOLS else "driftwood.notifications.push.LoggingPushSender"
)
# Notification e-mails wait this long so that several happenings at once make one digest e-mail.
NOTIFICATION_EMAIL_DELAY_SECONDS = env.int("NOTIFICATION_EMAIL_DELAY_SECONDS", default=60)
CHAT_MIRROR_STAND_IN = "driftwood.dev.firebase.FakeMirror" if DRIFTWOOD_DEV_TOOLS else ""
if CHAT_FIRESTORE_MIRROR and not FIREBASE_CREDENTIALS and not CHAT_MIRROR_STAND_IN:
    raise ImproperlyConfigured("CHAT_FIRESTORE_MIRROR needs FIREBASE_CREDENTIALS.")

# --- Logs (JSON or text, with request ids), /metrics and Sentry (driftwood/observability_settings.py).
vars().update(observability_settings(env, debug=DEBUG))
