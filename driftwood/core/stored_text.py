"""Sentences Driftwood stores for people to read later, shown in each reader's language.

A row that must be read in any language keeps, beside its English sentence, what the sentence was
made of: the English template (marked with `gettext_noop` where it is written, so that
`makemessages` collects it) and its values, as JSON. Shown to a reader, it is rebuilt from them in
the active language; a row without them (written before), or whose parts no longer fit a
translation, shows its stored English sentence instead:

    text = StoredText(gettext_noop("Prize for place %(place)s in %(event)s"), place=1, event="Piala")
    text.english()                                   # "Prize for place 1 in Piala", for the row
    stored_text_render(row.metadata.get("text"), fallback=row.description)  # in the reader's language

A value is a string or a number shown as it is (a name, an id), an amount (`money(...)`, shown
as "RM 1,234.50"), or another StoredText (a reason inside a sentence).
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from driftwood.core.money import format_money

TEMPLATE, VALUES, MONEY = "template", "values", "money"
# The metadata key of a row's `description` kept as a StoredText.
DESCRIPTION_TEXT = "text"


class StoredText(dict):
    """A template and its values: a dict, so that it goes into a JSONField as it is."""

    def __init__(self, template: str, /, **values):
        super().__init__({TEMPLATE: str(template), VALUES: values})

    def english(self) -> str:
        return _render(self, translate=False)


def as_english(text: "str | StoredText") -> str:
    """The English sentence of a StoredText; plain text as it is."""
    return text.english() if isinstance(text, StoredText) else text


def money(amount: Decimal) -> dict[str, str]:
    """An amount inside a stored text, formatted where it is shown."""
    return {MONEY: format_money(amount)}


def _value(value, *, translate: bool):
    if isinstance(value, dict) and MONEY in value:
        return format_money(Decimal(value[MONEY]), style="page")
    if isinstance(value, dict):
        return _render(value, translate=translate)
    if isinstance(value, str | int):
        return value
    raise TypeError(f"A stored text's value is text, a number, an amount or a text, not {value!r}.")


def _render(data: dict, *, translate: bool) -> str:
    template = data[TEMPLATE]
    values = {name: _value(value, translate=translate) for name, value in data[VALUES].items()}
    return (gettext(template) if translate else template) % values


class DescribedInLanguage:
    """For a model with `description` (the English sentence) and `metadata` (a JSON dict holding
    the sentence's parts under DESCRIPTION_TEXT when they were kept)."""

    def get_description_display(self) -> str:
        return stored_text_render(self.metadata.get(DESCRIPTION_TEXT), fallback=self.description)


def with_description_text(metadata: dict | None, description: "str | StoredText") -> dict:
    """`metadata` with a StoredText description's parts added (unchanged for plain text)."""
    metadata = dict(metadata or {})
    if isinstance(description, StoredText):
        metadata[DESCRIPTION_TEXT] = description
    return metadata


def stored_text_render(data, *, fallback: str) -> str:
    """`data` (a StoredText as read back from JSON) in the active language; `fallback` when there
    is none or it cannot be rebuilt (a row from before, a value or placeholder gone missing)."""
    if not isinstance(data, dict):
        return fallback
    try:
        return _render(data, translate=True)
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return fallback
