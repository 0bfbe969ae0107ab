"""`format_money`, the one money formatter, and the `{% load money %}` filters that call it."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from driftwood.core.money import format_money

MINUS = "\u2212"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.5"), "1234.50"),
        (Decimal("0"), "0.00"),
        (Decimal("-5"), "-5.00"),
        (Decimal("9999999999.99"), "9999999999.99"),
        (Decimal("0.005"), "0.01"),  # half up
        (Decimal("0.07"), "0.07"),
        (25, "25.00"),
        ("7.1", "7.10"),
    ],
)
def test_wire_style_is_plain_digits_with_two_places(value, expected):
    assert format_money(value) == expected
    assert format_money(value, style="wire") == expected


@pytest.mark.parametrize("value", [Decimal("1234.5"), Decimal("0"), Decimal("-5"), Decimal("9999999999.99"), "7.1"])
def test_text_style_is_the_page_style_so_messages_and_emails_read_like_pages(value):
    assert format_money(value, style="text") == format_money(value, style="page")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("10.00"), "RM 10"),
        (Decimal("10.50"), "RM 10.50"),
        (Decimal("0"), "RM 0"),
        (Decimal("-10"), "RM -10"),
        (Decimal("5000"), "RM 5000"),
        (Decimal("0.07"), "RM 0.07"),
    ],
)
def test_short_style_drops_whole_ringgit_cents_as_the_api_contract_spells_its_limits(value, expected):
    assert format_money(value, style="short") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.5"), "RM 1,234.50"),
        (Decimal("0"), "RM 0.00"),
        (Decimal("-5"), f"{MINUS}RM 5.00"),
        (Decimal("-1234567.8"), f"{MINUS}RM 1,234,567.80"),
        (Decimal("9999999999.99"), "RM 9,999,999,999.99"),
        (Decimal("0.07"), "RM 0.07"),
        ("300.00", "RM 300.00"),  # the API's money string
    ],
)
def test_page_style_groups_thousands_and_uses_a_minus_sign(value, expected):
    assert format_money(value, style="page") == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("50"), "+RM 50.00"),
        (Decimal("0"), "RM 0.00"),
        (Decimal("-0.00"), "RM 0.00"),
        (Decimal("-20"), f"{MINUS}RM 20.00"),
        (Decimal("1234567.8"), "+RM 1,234,567.80"),
        (Decimal("0.07"), "+RM 0.07"),
    ],
)
def test_signed_style_says_which_way_the_money_moved(value, expected):
    assert format_money(value, style="signed") == expected


def test_an_unknown_style_is_refused():
    with pytest.raises(ValueError, match="Unknown money style"):
        format_money(Decimal("1"), style="fancy")


def test_template_filters_call_the_same_formatter():
    template = Template(
        "{% load money %}{{ amount|ringgit }}|{{ amount|signed_ringgit }}|{{ amount|money:'page' }}|{{ amount|money }}"
    )

    rendered = template.render(Context({"amount": Decimal("-1234.5")}))

    assert rendered == f"{MINUS}RM 1,234.50|{MINUS}RM 1,234.50|{MINUS}RM 1,234.50|-1234.50"
