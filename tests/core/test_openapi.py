import json
import re

import pytest
from django.core.management import call_command

AUTH_PATHS = ["/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/me"]
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture
def schema(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return json.loads(response.content)


def _operations(schema: dict, path: str) -> list[dict]:
    return [operation for method, operation in schema["paths"][path].items() if method in {"get", "post"}]


def test_schema_is_openapi_3_and_lists_the_account_endpoints(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Driftwood API"
    for path in AUTH_PATHS:
        assert _operations(schema, path), path


def test_every_account_operation_documents_the_error_envelope(schema):
    # given the error schema of the contract
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"message", "code", "path"}
    assert "errors" in error["properties"]

    # then every operation answers its errors with it
    for path in AUTH_PATHS:
        for operation in _operations(schema, path):
            statuses = ("400", "429", "500") + (() if path.endswith("register") else ("401",))
            for status in statuses:
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": ERROR_REF}, (path, status)


def test_docs_page_uses_the_bundled_swagger_ui(client, db):
    # when the docs page is opened
    response = client.get("/api/docs/")

    # then it loads Swagger UI from our own static files, never from a CDN
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    bundle = re.search(r'src="([^"]*drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle\.js)"', page)
    assert bundle is not None
    for cdn in ("unpkg", "jsdelivr", "cdnjs", "googleapis"):
        assert cdn not in page
    # and that script is actually served by this site
    asset = client.get(bundle.group(1))
    assert asset.status_code == 200
    assert b"SwaggerUIBundle" in b"".join(asset.streaming_content if asset.streaming else [asset.content])


def test_schema_validates_without_warnings(db, capsys):
    # when drf-spectacular generates and validates the schema, treating warnings as errors
    call_command("spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json")

    # then it succeeds and prints a valid document
    out, err = capsys.readouterr()
    assert json.loads(out)["paths"]
    assert err == ""
