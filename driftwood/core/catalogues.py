"""Compile translation catalogues, `locale/<code>/LC_MESSAGES/*.po` -> `.mo`, in pure Python.

    python -m driftwood.core.catalogues          # what `make run`, `make test` and the image do

Django's `compilemessages` shells out to GNU gettext's `msgfmt`, which a fresh machine with only
Python and make does not have. The .po subset that `makemessages` writes is small: comments and
flags, `msgctxt`, `msgid`, `msgid_plural`, `msgstr` / `msgstr[N]` with continued C strings. Fuzzy
and untranslated entries are left out, as msgfmt does, so those strings stay in English. The .mo
layout is GNU's (the one Python's `gettext` module reads). Free of Django imports, like
`driftwood.core.embedded`, which calls it before starting anything.
"""

import re
import struct
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
LOCALE_DIR = BASE_DIR / "locale"
MAGIC = 0x950412DE
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_ESCAPE = re.compile(r"\\(.)")
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$")


class CatalogueError(ValueError):
    pass


def _unquote(literal: str, where: str) -> str:
    if len(literal) < 2 or not (literal.startswith('"') and literal.endswith('"')):
        raise CatalogueError(f"{where}: expected a quoted string, got {literal!r}")
    return _ESCAPE.sub(lambda match: _ESCAPES.get(match.group(1), match.group(1)), literal[1:-1])


def parse_po(text: str, name: str = "<po>") -> dict[str, str]:
    """The translated entries of a .po file as the .mo's {key: value} (keys with context and
    plural forms joined the way gettext expects: "ctx\\x04id", "id\\x00plural")."""
    messages: dict[str, str] = {}
    entry: dict = {}
    fuzzy = False
    field = None

    def finish() -> None:
        nonlocal entry, fuzzy, field
        if "msgid" in entry and not (fuzzy and entry["msgid"]):
            forms = [entry["msgstr"][index] for index in sorted(entry.get("msgstr", {}))]
            if forms and all(forms):
                key = entry["msgid"]
                if "msgid_plural" in entry:
                    key = f"{key}\0{entry['msgid_plural']}"
                if "msgctxt" in entry:
                    key = f"{entry['msgctxt']}\x04{key}"
                messages[key] = "\0".join(forms)
        entry, fuzzy, field = {}, False, None

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        where = f"{name}:{number}"
        if not line:
            continue
        if line.startswith("#"):
            if "msgstr" in entry:
                finish()
            if line.startswith("#,") and "fuzzy" in line[2:].replace(",", " ").split():
                fuzzy = True
            continue
        if line.startswith('"'):
            if field is None:
                raise CatalogueError(f"{where}: a continued string outside an entry")
            kind, index = field
            if kind == "msgstr":
                entry["msgstr"][index] += _unquote(line, where)
            else:
                entry[kind] += _unquote(line, where)
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise CatalogueError(f"{where}: cannot read {line!r}")
        keyword, index, literal = match.groups()
        value = _unquote(literal, where)
        if keyword.startswith("msgstr"):
            entry.setdefault("msgstr", {})[int(index or 0)] = value
            field = ("msgstr", int(index or 0))
            continue
        if "msgstr" in entry or keyword in entry:
            finish()
        entry[keyword] = value
        field = (keyword, None)
    finish()
    return messages


def mo_bytes(messages: dict[str, str]) -> bytes:
    """GNU .mo: header, the sorted keys' (length, offset) table, the values' table, then strings."""
    keys = sorted(messages)
    ids = [key.encode() for key in keys]
    strs = [messages[key].encode() for key in keys]
    count = len(keys)
    start = 7 * 4 + 16 * count  # header, then the two tables
    id_table, str_table, blob = [], [], b""
    for data, table in ((ids, id_table), (strs, str_table)):
        for item in data:
            table.append((len(item), start + len(blob)))
            blob += item + b"\0"
    header = struct.pack("<7I", MAGIC, 0, count, 7 * 4, 7 * 4 + 8 * count, 0, 0)
    tables = b"".join(struct.pack("<2I", *pair) for pair in id_table + str_table)
    return header + tables + blob


def compile_file(po_path: Path) -> Path:
    mo_path = po_path.with_suffix(".mo")
    data = mo_bytes(parse_po(po_path.read_text(encoding="utf-8"), str(po_path)))
    temporary = mo_path.with_suffix(".mo.tmp")
    temporary.write_bytes(data)
    temporary.replace(mo_path)  # atomic: a running server never reads half a catalogue
    return mo_path


def compile_all(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    return [compile_file(po) for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po"))]


def main() -> int:
    try:
        compiled = compile_all()
    except CatalogueError as exc:
        print(f"compile translations: {exc}", file=sys.stderr)
        return 1
    print(f"compiled {len(compiled)} translation catalogue(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
