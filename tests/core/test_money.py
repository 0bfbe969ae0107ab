from decimal import Decimal

import pytest
from rest_framework.exceptions import ValidationError

from driftwood.core.money import MoneyField
from tournaments.forms import EventForm
from wallet.forms import WithdrawalForm

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls")]

FULL_WIDTH = "\uff11\uff10.\uff10\uff10"  # "10.00" in full-width digits
ARABIC_INDIC = "\u0661\u0660"  # "10" in Arabic-Indic digits


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


# --- The contract's strict digits (issue 13): ASCII digits, at most two decimals, nothing else


@pytest.mark.parametrize(
    "raw",
    [
        "1e3",
        FULL_WIDTH,
        "10.00e0",
        " 10",
        "10 ",
        "+10",
        "-10",
        "1_000",
        "10.",
        ".50",
        ARABIC_INDIC,
        "0x10",
        "1,000",
        "10.0.0",
    ],
)
def test_exponents_other_digits_spaces_and_signs_are_400(jwt_client, raw):
    response = jwt_client.post("/api/v1/test/money", {"amount": raw})

    assert response.status_code == 400, raw
    assert response.json()["code"] == "invalid"
    assert "amount" in response.json()["errors"]


@pytest.mark.parametrize("literal", ["1e3", "1E3", "10.00e0", "1000e-2", "-10", "-0.0"])
def test_json_numbers_spelled_with_an_exponent_or_a_sign_are_400(jwt_client, literal):
    response = jwt_client.post("/api/v1/test/money", data=f'{{"amount": {literal}}}', content_type="application/json")

    assert response.status_code == 400, literal
    assert "amount" in response.json()["errors"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"amount": "10"}', "10.00"),
        ('{"amount": "10.5"}', "10.50"),
        ('{"amount": "10.50"}', "10.50"),
        ('{"amount": 10.5}', "10.50"),
        ('{"amount": 10}', "10.00"),
        ('{"amount": 10.50}', "10.50"),
        ('{"amount": "0010.50"}', "10.50"),
    ],
)
def test_plain_digits_as_a_string_or_a_json_number_are_accepted(jwt_client, body, expected):
    response = jwt_client.post("/api/v1/test/money", data=body, content_type="application/json")

    assert response.status_code == 200, response.content
    assert response.json() == {"amount": expected}


def test_the_schema_states_the_input_pattern_and_the_output_pattern(client):
    schema = client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]

    # the top-up's amount, as a request: a string of the strict digits, or a number
    request_amount = components["TopUpCreateInputRequest"]["properties"]["amount"]
    string_form, number_form = request_amount["oneOf"]
    assert string_form["type"] == "string"
    assert string_form["pattern"] == r"^[0-9]+(\.[0-9]{1,2})?$"
    assert "no sign, exponent or spaces" in string_form["description"]
    assert number_form["type"] == "number"
    # and as a response: exactly two decimals
    assert components["TopUpOutput"]["properties"]["amount"]["pattern"] == r"^-?[0-9]+\.[0-9]{2}$"


@pytest.mark.parametrize("raw", ["1e3", FULL_WIDTH, "10.00e0", "+10", "-10", " 10"])
def test_the_withdrawal_page_refuses_what_the_api_refuses(raw):
    form = WithdrawalForm(data={"amount": raw})

    assert not form.is_valid()
    assert form.errors["amount"]


@pytest.mark.parametrize(
    ("raw", "expected"), [("10", Decimal("10")), ("10.5", Decimal("10.5")), ("10.50", Decimal("10.50"))]
)
def test_the_withdrawal_page_takes_plain_amounts(raw, expected):
    form = WithdrawalForm(data={"amount": raw})

    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == expected


@pytest.mark.parametrize("raw", ["1e3", FULL_WIDTH, "-10"])
def test_the_event_form_refuses_such_entry_fees_and_prize_pools(raw):
    form = EventForm(data={"entry_fee": raw, "prize_pool": raw})

    assert not form.is_valid()
    assert form.errors["entry_fee"] and form.errors["prize_pool"]


def test_python_callers_get_the_same_rule():
    field = MoneyField()

    assert field.run_validation(Decimal("10.5")) == Decimal("10.50")
    assert field.run_validation(10) == Decimal("10.00")
    for bad in (Decimal("1E+3"), Decimal("-1"), 1e20, True):
        with pytest.raises(ValidationError):
            field.run_validation(bad)
