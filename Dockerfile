# Driftwood production image: one image for web (gunicorn), WebSockets (daphne), Celery
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

# Runtime dependencies, plus localstripe (the compose file's stand-in for Stripe). Its pin
# lives only in requirements-local.txt; pgserver (embedded mode only) is not installed.
COPY requirements.txt requirements-local.txt ./
RUN localstripe="$(grep -E '^localstripe==' requirements-local.txt)" \
    && pip install -r requirements.txt "$localstripe"

COPY . .

# The translation catalogues (.po -> .mo), in pure Python: no GNU gettext in the image.
RUN python -m driftwood.core.catalogues

# Hashed, compressed static files into STATIC_ROOT (.data/staticfiles), served by WhiteNoise.
# Settings need no database or secret to import; the key below exists only for this step.
RUN DJANGO_SECRET_KEY=collectstatic-only STATIC_MANIFEST=true \
    python manage.py collectstatic --no-input --verbosity 0

# Where each process writes its Prometheus series (PROMETHEUS_MULTIPROC_DIR in the compose file).
RUN mkdir -p /run/driftwood-metrics && chown 10001:10001 /run/driftwood-metrics

# The code stays owned by root and read-only for the process (user driftwood, 10001).
USER 10001:10001

EXPOSE 8000

# /healthz checks PostgreSQL and the cache. The Host header is the first usable entry of
# DJANGO_ALLOWED_HOSTS, and X-Forwarded-Proto keeps DJANGO_SECURE_SSL_REDIRECT (behind
# DJANGO_BEHIND_TLS_PROXY) from redirecting the probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request as u; hosts = [h.strip().lstrip('.') for h in os.environ.get('DJANGO_ALLOWED_HOSTS', '').split(',') if h.strip() not in ('', '*')]; r = u.Request('http://127.0.0.1:8000/healthz', headers={'Host': (hosts or ['localhost'])[0], 'X-Forwarded-Proto': 'https'}); sys.exit(0 if u.urlopen(r, timeout=4).status == 200 else 1)"]

# HTTP by default; the WebSocket service runs `daphne -b 0.0.0.0 -p 8000 driftwood.asgi:application`.
CMD ["gunicorn", "--config", "deploy/gunicorn.conf.py", "--bind", "0.0.0.0:8000", "driftwood.wsgi:application"]
