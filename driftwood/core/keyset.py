"""Keyset (seek) paging for every list: a page continues after the last row shown, found through
the ordered index that supplies the list's sort, so a page costs the same however deep it is.

The ordering is the queryset's own `order_by`: plain field names or annotations (a `-` for
descending), not null, ending with the primary key (the tie-breaker that makes positions unique).
A cursor is that last row's key values, the page number it leads to and a direction, signed with
the SECRET_KEY (django.core.signing), so a cursor that was altered, truncated or made for another
ordering is refused (`InvalidCursor`), never run. Rotating the SECRET_KEY retires old cursors.
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet

SALT = "driftwood.core.keyset"
PRIMARY_KEYS = {"pk", "id"}


class InvalidCursor(ValueError):
    """A cursor this server did not make for this list (or no longer accepts)."""


@dataclass(frozen=True)
class Key:
    name: str
    descending: bool


def ordering_of(queryset: QuerySet) -> tuple[Key, ...]:
    """The queryset's sort as keys; a programming error unless it can be sought (see the module doc)."""
    names = queryset.query.order_by
    if not names or not all(isinstance(name, str) for name in names):
        raise ImproperlyConfigured(f"Keyset paging needs an order_by of field names, not {names!r}.")
    keys = tuple(Key(name.lstrip("-"), name.startswith("-")) for name in names)
    if keys[-1].name not in PRIMARY_KEYS:
        raise ImproperlyConfigured(f"Keyset paging needs the primary key as the last sort key, not {names!r}.")
    return keys


def _salt(keys: tuple[Key, ...]) -> str:
    return f"{SALT}:{','.join(('-' if key.descending else '') + key.name for key in keys)}"


def _encode_value(value):
    # JSON has no dates or decimals: tag them so that they come back as the same type.
    if isinstance(value, datetime):
        return ["t", value.isoformat()]
    if isinstance(value, date):
        return ["d", value.isoformat()]
    if isinstance(value, Decimal):
        return ["m", str(value)]
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ImproperlyConfigured(f"Keyset paging cannot seek on {type(value).__name__} values (null key?).")
    return value


def _decode_value(value):
    if isinstance(value, list) and len(value) == 2 and isinstance(value[1], str):
        tag, text = value
        parse = {"t": datetime.fromisoformat, "d": date.fromisoformat, "m": Decimal}.get(tag)
        if parse is not None:
            return parse(text)
    if isinstance(value, int | str) and not isinstance(value, bool):
        return value
    raise InvalidCursor()


def _row_value(row, name: str):
    if isinstance(row, dict):
        return row[name]
    for part in name.split("__"):
        row = getattr(row, part)
    return row


@dataclass(frozen=True)
class Position:
    values: tuple
    page: int
    backward: bool = False


def encode(keys: tuple[Key, ...], row, *, page: int, backward: bool = False) -> str:
    values = [_encode_value(_row_value(row, key.name)) for key in keys]
    return signing.dumps({"k": values, "p": page, "b": int(backward)}, salt=_salt(keys), compress=True)


def decode(keys: tuple[Key, ...], text: str) -> Position:
    try:
        payload = signing.loads(text, salt=_salt(keys))
        values = tuple(_decode_value(value) for value in payload["k"])
        page, backward = payload["p"], payload["b"]
    except (signing.BadSignature, KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise InvalidCursor() from exc
    if len(values) != len(keys) or not isinstance(page, int) or isinstance(page, bool) or page < 1:
        raise InvalidCursor()
    return Position(values=values, page=page, backward=bool(backward))


def beyond(keys: tuple[Key, ...], values: tuple, *, backward: bool = False) -> Q:
    """Rows strictly after `values` in the keys' order (before them when `backward`).

    The lexicographic OR is preceded by a plain bound on the first key, which the index scan
    uses as its start (the OR alone would be a filter over every row before the position).
    """

    def op(key: Key, strict: bool) -> str:
        downward = key.descending != backward
        return ("lt" if strict else "lte") if downward else ("gt" if strict else "gte")

    after = Q()
    for depth, key in enumerate(keys):
        equal = {prior.name: value for prior, value in zip(keys[:depth], values[:depth], strict=True)}
        after |= Q(**equal, **{f"{key.name}__{op(key, True)}": values[depth]})
    return Q(**{f"{keys[0].name}__{op(keys[0], False)}": values[0]}) & after


@dataclass(frozen=True)
class Slice:
    """One page of rows: whether rows follow (`has_more`) or precede it, the page's number, and
    cursors to the next and previous pages (None at either end)."""

    rows: list
    number: int
    has_more: bool
    has_previous: bool
    next_cursor: str | None
    previous_cursor: str | None


def page_slice(queryset: QuerySet, *, number: int, limit: int) -> Slice:
    """Page `number` by OFFSET (shallow pages only: the caller caps `number`), with cursors onward."""
    keys = ordering_of(queryset)
    offset = (number - 1) * limit
    rows = list(queryset[offset : offset + limit + 1])
    return _slice(keys, rows, number=number, limit=limit, has_previous=number > 1, has_more=len(rows) > limit)


def cursor_slice(queryset: QuerySet, *, cursor: str, limit: int) -> Slice:
    """The page a cursor points to, sought through the index: the same cost at any depth."""
    keys = ordering_of(queryset)
    position = decode(keys, cursor)
    seek = queryset.filter(beyond(keys, position.values, backward=position.backward))
    if position.backward:
        rows = list(seek.reverse()[: limit + 1])
        has_previous = len(rows) > limit
        rows = rows[:limit][::-1]
        return _slice(keys, rows, number=position.page, limit=limit, has_previous=has_previous, has_more=True)
    rows = list(seek[: limit + 1])
    return _slice(keys, rows, number=position.page, limit=limit, has_previous=True, has_more=len(rows) > limit)


def _slice(keys, rows: list, *, number: int, limit: int, has_previous: bool, has_more: bool) -> Slice:
    rows = rows[:limit]
    has_previous = has_previous and number > 1
    return Slice(
        rows=rows,
        number=number,
        has_more=has_more and bool(rows),
        has_previous=has_previous,
        next_cursor=encode(keys, rows[-1], page=number + 1) if has_more and rows else None,
        previous_cursor=encode(keys, rows[0], page=number - 1, backward=True) if has_previous and rows else None,
    )
