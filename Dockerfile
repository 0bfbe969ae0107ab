# Driftwood production image: one image for web (gunicorn), WebSockets (uvicorn), Celery
# workers, beat, the one-shot migrate job and localstripe (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

WORKDIR /app

RUN groupadd --system --gid 10001 driftwood \
    && useradd --system --uid 10001 --gid driftwood --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin driftwood

# Runtime dependencies, plus localstripe (the compose file's stand-in for Stripe) and pgserver,
# whose PostgreSQL 16 client tools (pg_dump, pg_restore) `manage.py backup` / `restore` use against
# the compose file's PostgreSQL 16 (Debian bookworm's own postgresql-client is 15, too old for it).
# Their pins live only in requirements-local.txt; the image never starts pgserver's server.
COPY requirements.txt requirements-local.txt ./
RUN localstripe="$(grep -E '^localstripe==' requirements-local.txt)" \
    && pgserver="$(grep -E '^pgserver==' requirements-local.txt)" \
    && pip install -r requirements.txt "$localstripe" "$pgserver"

COPY . .

# The translation catalogues (.po -> .mo), in pure Python: no GNU gettext in the image.
RUN python -m driftwood.core.catalogues

# Hashed, compressed static files into STATIC_ROOT (.data/staticfiles), served by WhiteNoise.
# Settings need no database or secret to import; the key below exists only for this step.
RUN DJANGO_SECRET_KEY=collectstatic-only STATIC_MANIFEST=true \
    python manage.py collectstatic --no-input --verbosity 0

# Uploads (dispute evidence) live outside the read-only code, on the compose file's media volume;
# a new named volume takes this directory's owner.
ENV MEDIA_ROOT=/var/lib/driftwood/media
RUN mkdir -p "$MEDIA_ROOT" && chown 10001:10001 "$MEDIA_ROOT"
# Where each process writes its Prometheus series (PROMETHEUS_MULTIPROC_DIR in the compose file).
RUN mkdir -p /run/driftwood-metrics && chown 10001:10001 /run/driftwood-metrics

# The code stays owned by root and read-only for the process (user driftwood, 10001).
USER 10001:10001

EXPOSE 8000

# Ready = /readyz answers 200 (PostgreSQL reachable): driftwood/core/probe.py, which sends the first
# usable DJANGO_ALLOWED_HOSTS entry as Host and X-Forwarded-Proto so that DJANGO_SECURE_SSL_REDIRECT
# (behind DJANGO_BEHIND_TLS_PROXY) does not redirect the probe. Workers and beat override it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "driftwood.core.probe"]

# HTTP by default; the WebSocket service runs `uvicorn ... driftwood.asgi:application` (docker-compose.yml).
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "--bind", "0.0.0.0:8000", "driftwood.wsgi:application"]
