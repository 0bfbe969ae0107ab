"""Schemathesis against the app in-process (issue 13): every operation of the OpenAPI schema, as a
signed-in player with some data (and those open to anyone, as an anonymous client; the others must
refuse one with 401 and the error envelope), must answer without a server error,
with a status the schema declares for it, the content type it declares, and a body that matches;
and a request the schema forbids (an integer for a string, `null` for a boolean, a value outside an
enum, a page past the maximum) must be refused, not accepted.

The schema is the one drf-spectacular serves; requests go through Django's WSGI application (all
middleware included) on the test database. Generation is deterministic (a fixed seed, derandomized
Hypothesis, no example database), so a run is the same run every time: a failure is a defect.

Each operation is a test of its own (`pytest 'tests/core/test_schemathesis.py::…[GET /api/v1/me]'`),
parametrized here from the schema's list of operations, and its cases are built when it runs
(Schemathesis' fixture-loaded schema, given that one operation). Schemathesis' own `parametrize`
would build every operation's cases, its coverage phase included, while collecting: in each test
worker, though each operation runs in one (5 s of CPU a worker, a tenth of the whole file's).
"""

import functools
import json
import re

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from rest_framework_simplejwt.tokens import AccessToken
from schemathesis.checks import not_a_server_error
from schemathesis.python._constants.orchestrator import build_constants_pool
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import EventFactory, UserFactory, funded_wallet, team_with_members
from tournaments.services.registrations import registration_join

# Examples Hypothesis draws per operation in the fuzzing phase (the coverage phase adds its own
# boundary and negative cases); bounded so both runs together stay well under three minutes.
MAX_EXAMPLES = 12
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261213,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "phases": {"stateful": {"enabled": False}},
    }
)


def _schema() -> dict:
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


def _anonymous_allowed(operation: dict) -> bool:
    """drf-spectacular lists `{}` among an operation's security requirements when no credentials
    are needed (AllowAny, or a read under IsAuthenticatedOrReadOnly)."""
    return {} in operation.get("security", [{}])


SCHEMA = _schema()
METHODS = {"get", "post", "put", "patch", "delete"}
OPERATIONS = [
    (method.upper(), path)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    if method in METHODS
]
PROTECTED = [
    (method, path) for method, path in OPERATIONS if not _anonymous_allowed(SCHEMA["paths"][path][method.lower()])
]
OPEN = [operation for operation in OPERATIONS if operation not in PROTECTED]
WSGI_APPLICATION = get_wsgi_application()


def _ids(operations: list[tuple[str, str]]) -> list[str]:
    return [f"{method} {path}" for method, path in operations]


@pytest.fixture
def operation_schema(request):
    """The schema with only the test's operation (the rest of the document, components included,
    as served)."""
    method, path = request.param
    path_item = {key: value for key, value in SCHEMA["paths"][path].items() if key not in METHODS}
    document = {**SCHEMA, "paths": {path: {**path_item, method.lower(): SCHEMA["paths"][path][method.lower()]}}}
    schema = schemathesis.openapi.from_dict(document, config=CONFIG)
    schema.app = WSGI_APPLICATION
    schema._constants_pool_cache = _application_constants()
    return schema


@functools.cache
def _application_constants():
    """The literals Schemathesis reads out of the application's code to seed its generation,
    found once per process (a walk of every module: a tenth of a second) rather than once per
    operation's schema. It keeps them in that private slot, keyed by the application."""
    schema = schemathesis.openapi.from_dict(SCHEMA, config=CONFIG)
    schema.app = WSGI_APPLICATION
    build_constants_pool(schema)
    return schema._constants_pool_cache


operation = schemathesis.pytest.from_fixture("operation_schema")

HYPOTHESIS = settings(deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture
def in_process(settings):
    """Rate limits far above what a run sends, so every case reaches its view (a 429 would still
    conform); and, as Django's test client does, the database connection is not closed around each
    request: it holds the test's transaction."""
    settings.RATE_LIMITS = {name: "100000/m" for name in settings.RATE_LIMITS}
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def player(db):
    """A player with money, a team, a draft event of their own and another's event they entered."""
    user = UserFactory()
    funded_wallet(user, "500.00")
    team_with_members(user, 3)
    EventFactory(organizer=user, status="draft")
    registration_join(event_id=EventFactory().pk, user=user, payment_method="wallet")
    return user


# Fuzzed anonymously: the operations open to anonymous clients. Every case sent to the others
# was answered 401 before its input was read (most of this file's time, to learn nothing new):
# they get the one test below instead, and are fuzzed signed in.
@pytest.mark.parametrize("operation_schema", OPEN, ids=_ids(OPEN), indirect=True)
@operation.parametrize()
@HYPOTHESIS
@pytest.mark.usefixtures("db", "in_process")
def test_every_open_operation_as_an_anonymous_client(case):
    case.call_and_validate(checks=CHECKS)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), PROTECTED, ids=_ids(PROTECTED))
def test_every_other_operation_refuses_an_anonymous_client_with_the_envelope(client, method, path):
    url = re.sub(r"\{[^}]+\}", "1", path)
    response = client.generic(method, url, data=b'{"amount": "10.00"}', content_type="application/json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("operation_schema", OPERATIONS, ids=_ids(OPERATIONS), indirect=True)
@operation.parametrize()
@HYPOTHESIS
@pytest.mark.usefixtures("db", "in_process")
def test_every_operation_as_a_signed_in_player(case, player):
    case.call_and_validate(headers={"Authorization": f"Bearer {AccessToken.for_user(player)}"}, checks=CHECKS)
