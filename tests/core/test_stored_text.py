"""StoredText: a sentence stored as its English template and values, rebuilt in the reader's language."""

import json
from decimal import Decimal

from django.utils import translation

from driftwood.core.stored_text import StoredText, as_english, money, stored_text_render


def _from_json(text: StoredText) -> dict:
    """As a JSONField gives it back."""
    return json.loads(json.dumps(text))


def test_a_text_is_english_where_stored_and_in_the_readers_language_where_shown():
    why = StoredText("%(event)s was cancelled", event="Liga Pantai")
    text = _from_json(StoredText("Refund: %(reason)s", reason=why))

    with translation.override("ms"):
        malay = stored_text_render(text, fallback="stored")
    with translation.override("en"):
        english = stored_text_render(text, fallback="stored")

    assert as_english(StoredText("Refund: %(reason)s", reason=why)) == "Refund: Liga Pantai was cancelled"
    assert (english, malay) == ("Refund: Liga Pantai was cancelled", "Bayaran balik: Liga Pantai dibatalkan")


def test_amounts_are_formatted_as_ringgit_where_shown_and_numbers_stay_as_given():
    template = "Withdrawal #%(id)s: %(amount)s + %(fee)s fee on hold"
    text = StoredText(template, id=7, amount=money(Decimal("1234.5")), fee=money(Decimal(1)))

    with translation.override("ms"):
        shown = stored_text_render(_from_json(text), fallback="stored")

    assert text.english() == "Withdrawal #7: RM 1,234.50 + RM 1.00 fee on hold"
    assert shown == "Pengeluaran #7: RM 1,234.50 + yuran RM 1.00 ditahan"


def test_a_template_without_a_translation_is_shown_in_english():
    assert stored_text_render(_from_json(StoredText("Bonus for %(who)s", who="Siti")), fallback="x") == "Bonus for Siti"


def test_what_cannot_be_rebuilt_shows_the_stored_sentence():
    broken = [
        None,  # a row from before
        "Refund: Piala",  # not a stored text
        {"template": "Prize for place %(place)s"},  # values missing
        {"template": "Prize for place %(place)s", "values": {}},  # a placeholder with no value
        {"template": "Prize %(place)s", "values": {"place": [1]}},  # a value of no known kind
        {"template": "Held %(amount)s", "values": {"amount": {"money": "lots"}}},  # not an amount
        {"template": "Broken %(", "values": {}},  # not a template
    ]
    with translation.override("ms"):
        assert [stored_text_render(data, fallback="stored") for data in broken] == ["stored"] * len(broken)
    assert as_english("plain") == "plain"
