from decimal import Decimal

import pytest
from rest_framework.exceptions import ValidationError

from driftwood.core.money import MoneyField

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("100.50", "100.50"), (100.5, "100.50"), (25, "25.00"), ("1", "1.00"), ("10000.00", "10000.00"), ("7.10", "7.10")],
)
def test_amounts_are_accepted_as_strings_or_numbers_and_returned_as_two_decimal_strings(jwt_client, raw, expected):
    response = jwt_client.post("/api/v1/test/money", {"amount": raw})

    assert response.status_code == 200
    assert response.json() == {"amount": expected}


def test_json_floats_are_parsed_exactly(jwt_client):
    response = jwt_client.post("/api/v1/test/money", data='{"amount": 1.1}', content_type="application/json")

    assert response.json() == {"amount": "1.10"}


@pytest.mark.parametrize(
    "raw",
    [
        "100.555",
        100.555,
        "NaN",
        "Infinity",
        "-Infinity",
        "-5.00",
        "0",
        0,
        "0.00",
        "abc",
        "",
        None,
        True,
        [],
        "1e400",
        "0.5",
    ],
)
def test_bad_amounts_are_400_with_a_field_error(jwt_client, raw):
    response = jwt_client.post("/api/v1/test/money", {"amount": raw})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "amount" in response.json()["errors"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_json_nan_and_infinity_literals_are_refused(jwt_client, literal):
    response = jwt_client.post("/api/v1/test/money", data=f'{{"amount": {literal}}}', content_type="application/json")

    assert response.status_code == 400


def test_limits_use_the_field_bounds_in_their_messages(jwt_client):
    response = jwt_client.post("/api/v1/test/money", {"amount": "10000.01"})

    assert response.json()["errors"]["amount"] == ["The amount must be at most 10000.00."]
    assert response.json()["message"] == "The amount must be at most 10000.00."


def test_representation_is_never_a_float():
    assert MoneyField().to_representation(Decimal("3")) == "3.00"
    assert MoneyField().to_representation(Decimal("1234567.891")) == "1234567.89"


def test_non_positive_allowed_when_asked():
    field = MoneyField(positive=False)

    assert field.run_validation("0") == Decimal("0.00")
    with pytest.raises(ValidationError):
        field.run_validation("-1")
