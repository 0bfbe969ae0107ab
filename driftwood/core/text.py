"""The one rule for text a person writes (names, descriptions, reasons, chat messages).

Refused, so they are never stored or shown to anyone:
- NUL and every other C0/C1 control character and DEL; newline and tab only in multi-line
  text (a CR is accepted only as part of CRLF, which the fields turn into LF);
- lone surrogates (not text at all: PostgreSQL and UTF-8 cannot store them);
- invisible format characters (Unicode category Cf): bidirectional embeddings, overrides,
  isolates and marks, zero-width spaces, word joiners, byte-order marks, soft hyphens,
  invisible operators, and fillers that render as nothing; these are how "admin" and
  "adm\u202enim" come to look alike. Two uses that render visibly are kept: a zero-width
  joiner or non-joiner between two non-ASCII letters or symbols (emoji sequences such as
  a family or a rainbow flag, Indic and Arabic-script joining), and the tag characters of
  a subdivision flag (a black flag followed by tags);
- line and paragraph separators (U+2028, U+2029), noncharacters, and U+FFFD, which stands in for
  bytes that were not UTF-8 (a page form cannot carry a lone surrogate: it arrives as U+FFFD).

`text_problem` is the rule; `validate_text` / `validate_multiline_text` are Django validators;
`TextField` (DRF) and `FormTextField` (Django forms) apply them and accept only strings.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

ZWNJ, ZWJ = "\u200c", "\u200d"
BLACK_FLAG = "\U0001f3f4"
TAGS = range(0xE0020, 0xE0080)
# Letters (category Lo) that render as nothing: used for "blank" names.
INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
NEWLINES = frozenset("\n\t")


def _name(char: str) -> str:
    return f"U+{ord(char):04X}" + (f" ({unicodedata.name(char)})" if unicodedata.name(char, "") else "")


def _visible_non_ascii(char: str) -> bool:
    return ord(char) > 0x7F and unicodedata.category(char)[0] in "LMSN"


def _allowed_format(text: str, index: int) -> bool:
    char = text[index]
    if char in (ZWJ, ZWNJ):
        return 0 < index < len(text) - 1 and _visible_non_ascii(text[index - 1]) and _visible_non_ascii(text[index + 1])
    if ord(char) in TAGS:
        start = index
        while start > 0 and ord(text[start - 1]) in TAGS:
            start -= 1
        return start > 0 and text[start - 1] == BLACK_FLAG
    return False


def text_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why `text` may not be stored (naming the first bad character), or None when it may."""
    for index, char in enumerate(text):
        code = ord(char)
        if char in NEWLINES:
            if multiline:
                continue
            return _("Use a single line: no line breaks or tabs.")
        if char == "\r" and multiline and text[index + 1 : index + 2] == "\n":
            continue
        category = unicodedata.category(char)
        if category == "Cs":
            return _("Contains an invalid character (U+%(code)04X, half of a surrogate pair).") % {"code": code}
        if category == "Cc":
            return _("Contains a control character (%(char)s).") % {"char": _name(char)}
        if category in ("Zl", "Zp"):
            return _("Contains a line separator (%(char)s): use a plain line break.") % {"char": _name(char)}
        if (category == "Cf" and not _allowed_format(text, index)) or char in INVISIBLE_LETTERS:
            return _("Contains an invisible or text-direction character (%(char)s).") % {"char": _name(char)}
        if char == "\ufffd":
            return _("Contains a character that could not be read (U+FFFD): the text was not sent as UTF-8.")
        if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
            return _("Contains a character that is not text (%(char)s).") % {"char": _name(char)}
    return None


def validate_text(value: str) -> None:
    problem = text_problem(value)
    if problem:
        raise ValidationError(problem, code="invalid_characters")


def validate_multiline_text(value: str) -> None:
    problem = text_problem(value, multiline=True)
    if problem:
        raise ValidationError(problem, code="invalid_characters")


def _normalize_newlines(value: str) -> str:
    return value.replace("\r\n", "\n")


class StrictCharField(serializers.CharField):
    """Only JSON strings, for text nobody is shown (passwords, tokens): no number turned into text."""

    default_error_messages = {"invalid": gettext_lazy("Enter text (a string).")}

    def to_internal_value(self, data) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextField(StrictCharField):
    """A string a person wrote: only JSON strings (no number or boolean turned into text), and
    `text_problem`'s rule. `multiline=True` allows line breaks and tabs (CRLF becomes LF)."""

    def __init__(self, *, multiline: bool = False, **kwargs):
        self.multiline = multiline
        super().__init__(**kwargs)
        self.validators.append(validate_multiline_text if multiline else validate_text)

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        return _normalize_newlines(value) if self.multiline else value


class FormTextField(forms.CharField):
    """The page-form counterpart of `TextField` (a `Textarea` widget means multi-line)."""

    def __init__(self, *, multiline: bool | None = None, **kwargs):
        widget = kwargs.get("widget")
        if multiline is None:
            multiline = isinstance(widget, forms.Textarea) or widget is forms.Textarea
        self.multiline = multiline
        super().__init__(**kwargs)
        self.validators.append(validate_multiline_text if multiline else validate_text)

    def to_python(self, value):
        value = super().to_python(value)
        return _normalize_newlines(value) if self.multiline else value
