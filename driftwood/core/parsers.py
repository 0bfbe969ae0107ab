"""JSON parsing that keeps numbers exact and refuses what no client sends.

Numbers with a fraction or exponent become `JSONNumber` (an exact Decimal that remembers its
spelling, so money can refuse "1e3"); NaN/Infinity are refused; so is nesting deeper than
`MAX_DEPTH` (Python's parser would otherwise recurse until RecursionError, a 500).
"""

import codecs
import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from driftwood.core.money import JSONNumber

# Far deeper than any request of the API (an event's prize split is two levels).
MAX_DEPTH = 32


class MalformedJSON(ValueError):
    pass


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not allowed")


def _depth(value) -> int:
    """How deeply lists and objects nest in `value` (0 for a scalar), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def loads(text: str):
    """The one JSON reader for request bodies and WebSocket frames; MalformedJSON for bad input."""
    try:
        value = json.loads(text, parse_float=JSONNumber, parse_constant=_refuse_constant)
    except RecursionError:
        raise MalformedJSON(f"JSON nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as exc:
        raise MalformedJSON(str(exc)) from None
    if _depth(value) > MAX_DEPTH:
        raise MalformedJSON(f"JSON nested more than {MAX_DEPTH} levels deep")
    return value


class DecimalJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            return loads(codecs.getreader(encoding)(stream).read())
        except UnicodeDecodeError as exc:
            raise ParseError(f"Malformed JSON: not {encoding} text.") from exc
        except MalformedJSON as exc:
            raise ParseError(f"Malformed JSON: {exc}") from exc


class JSONFramesMixin:
    """For JSON WebSocket consumers: frames are read by `loads` too; a malformed one arrives as None
    (which the consumer answers with an `error` frame), instead of an exception that closes the socket."""

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return loads(text_data)
        except MalformedJSON:
            return None
