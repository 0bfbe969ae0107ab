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


# --- Drift found by schemathesis (issue 13): what the server does, the schema says


def _all_operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_the_page_parameter_states_its_maximum_and_a_page_past_it_is_a_declared_400(schema, jwt_client):
    pages = [
        parameter["schema"]
        for _path, _method, operation in _all_operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "page"
    ]
    assert pages and all(page["maximum"] == 50 and page["minimum"] == 1 for page in pages)

    response = jwt_client.get("/api/v1/teams?page=51")

    assert response.status_code == 400
    assert "400" in schema["paths"]["/api/v1/teams"]["get"]["responses"]


def test_every_paged_list_documents_its_cursor_and_next(schema):
    paged = [
        (path, operation)
        for path, _method, operation in _all_operations(schema)
        if any(parameter["name"] == "page" for parameter in operation.get("parameters", []))
    ]
    assert len(paged) >= 10

    for path, operation in paged:
        names = {parameter["name"] for parameter in operation["parameters"]}
        assert {"page", "cursor", "limit"} <= names, path
        body = operation["responses"]["200"]["content"]["application/json"]["schema"]
        if "$ref" in body:
            body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
        assert "next" in body["required"], path
        assert body["properties"]["next"]["nullable"] is True, path


@pytest.mark.parametrize("page", ["+1", " 1", "1_0", "\uff11"])
def test_a_page_must_be_plain_ascii_digits(jwt_client, page):
    assert jwt_client.get("/api/v1/teams", {"page": page}).status_code == 400


def test_the_idempotency_key_header_states_its_rule(schema):
    headers = [
        parameter
        for _path, _method, operation in _all_operations(schema)
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "Idempotency-Key"
    ]

    assert len(headers) >= 3  # top-up, withdrawal, join
    for header in headers:
        assert header["in"] == "header"
        assert header["schema"]["minLength"] == 1 and header["schema"]["maxLength"] == 255
        assert header["schema"]["pattern"] == r"^[!-~]([ -~]{0,253}[!-~])?$"


@pytest.mark.parametrize("key", ["caf\u00e9", " padded", "x" * 256])
def test_a_key_outside_the_stated_pattern_is_400(jwt_client, key):
    response = jwt_client.post("/api/v1/wallet/withdrawal", {"amount": "10"}, headers={"Idempotency-Key": key})

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]


def test_every_operation_declares_the_errors_it_can_answer_with(schema):
    for path, method, operation in _all_operations(schema):
        responses = operation["responses"]
        for status in ("400", "429", "500"):
            assert status in responses, (method, path, status)
        if method != "get":
            assert "413" in responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
    # a bad bearer token is a 401 even where no sign-in is needed
    assert "401" in schema["paths"]["/api/v1/games"]["get"]["responses"]
    assert "401" in schema["paths"]["/api/v1/auth/register"]["post"]["responses"]
    # and a session request without its CSRF token a 403
    assert "403" in schema["paths"]["/api/v1/auth/register"]["post"]["responses"]


def test_an_empty_status_filter_is_in_the_schema_and_an_unknown_one_is_400(schema, api_client):
    (status,) = [p for p in schema["paths"]["/api/v1/events"]["get"]["parameters"] if p["name"] == "status"]

    assert "" in status["schema"]["enum"]
    assert api_client.get("/api/v1/events", {"status": ""}).status_code == 200
    assert api_client.get("/api/v1/events", {"status": "nope"}).status_code == 400


def test_a_null_boolean_filter_is_400(jwt_client):
    assert jwt_client.get("/api/v1/notifications", {"unread": "null"}).status_code == 400
    assert jwt_client.get("/api/v1/notifications", {"unread": "true"}).status_code == 200


def test_the_schema_is_generated_once_per_language_and_served_in_each(client, db, monkeypatch):
    # given the generator, counted
    from drf_spectacular.generators import SchemaGenerator

    from driftwood.core.schema_view import OpenApiSchemaView

    monkeypatch.setattr(OpenApiSchemaView, "_documents", {})
    generated = []
    original = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        generated.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)

    # when the schema is asked for twice in English and twice in Malay
    english = [client.get("/api/schema/?format=json").content for _ in range(2)]
    malay = [client.get("/api/schema/?format=json&lang=ms").content for _ in range(2)]

    # then each language was generated once, and each answer is in its own language
    assert len(generated) == 2
    assert english[0] == english[1] and malay[0] == malay[1]
    assert "Kalah mati tunggal" in malay[0].decode() and "Kalah mati tunggal" not in english[0].decode()
