# Driftwood: `make run` serves the platform, `make test` runs the whole suite,
# `make serve` runs the production topology on this machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# uv installs the pinned requirements in seconds where pip takes half a minute (a fresh clone's
# `make test` installs everything); it is pinned here, the packages in the requirements files.
# Compiled to bytecode at install, as pip does: otherwise the test workers, starting together,
# would each compile the same libraries on first import.
UV_VERSION := 0.13.10
UV := $(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY)

.PHONY: run serve test bench lint format check-deploy clean translations messages backup restore

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# (a target of its own: a venv made before uv was used gets it too)
$(VENV)/bin/uv: $(VENV)/bin/python
	$(PY) -m pip install --quiet uv==$(UV_VERSION)

$(VENV)/.local-installed: $(VENV)/bin/uv requirements.txt requirements-local.txt
	$(UV) -r requirements-local.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.local-installed requirements-dev.txt
	$(UV) -r requirements-dev.txt
	touch $@

run: $(VENV)/.local-installed
	$(PY) -m driftwood.core.embedded run

serve: $(VENV)/.local-installed translations
	$(PY) -m driftwood.core.serve

# The .mo catalogues from locale/*/LC_MESSAGES/*.po, in pure Python (no GNU gettext needed);
# `run`, `test` and `bench` compile them too (driftwood/core/embedded.py).
translations: $(VENV)/bin/python
	$(PY) -m driftwood.core.catalogues

# Re-extract the strings into the .po files (needs GNU gettext's xgettext: apt-get install gettext),
# then translate the new entries and run `make translations`.
messages: $(VENV)/.local-installed
	$(PY) manage.py makemessages --locale ms --no-obsolete --ignore ".venv/*" --ignore ".data/*" --ignore "tests/*" \
		--ignore "bench/*" --ignore "test-artifacts/*"

test: $(VENV)/.dev-installed
	$(PY) -m driftwood.core.embedded test $(PYTEST_ARGS)

# Database and media files to BACKUP_TO (a directory or s3://bucket/prefix; default .data/backups);
# `make restore BACKUP=<the folder backup printed>` into an empty database ("Operating Driftwood").
BACKUP_TO ?= .data/backups
backup: $(VENV)/.local-installed
	$(PY) -m driftwood.core.embedded manage backup $(BACKUP_TO)

restore: $(VENV)/.local-installed
	$(PY) -m driftwood.core.embedded manage restore $(BACKUP)

bench: $(VENV)/.dev-installed
	$(PY) -m driftwood.core.embedded bench $(BENCH)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check-deploy: $(VENV)/.local-installed
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DJANGO_ALLOWED_HOSTS=driftwood.example DJANGO_SECURE_SSL_REDIRECT=true DJANGO_HSTS_SECONDS=31536000 \
	FIELD_ENCRYPTION_KEYS=$$($(PY) -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())') \
	BANK_API_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(32))') \
	$(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) .data
