"""Fill a gettext catalogue's empty translations from a JSON file of {msgid: translation}.

    .venv/bin/python scripts/fill_catalogue.py locale/zh_Hans/LC_MESSAGES/django.po translations.json

For bringing many strings over at once; day to day, edit the .po file itself (any PO editor).
A translation that is a list gives the plural forms. Prints what is still untranslated.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def main(po_path: str, json_path: str) -> int:
    path = Path(po_path)
    with path.open("rb") as f:
        catalog = read_po(f)
    known = json.loads(Path(json_path).read_text(encoding="utf-8"))
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        if message.context:
            key = f"{message.context}\x04{key}"
        value = known.get(key)
        if value is not None and not _translated(message):
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
        if not _translated(message):
            missing.append(key)
    catalog.fuzzy = False  # a fuzzy header keeps the whole catalogue from being compiled
    catalog.project, catalog.version = "binglian", ""
    with path.open("wb") as f:
        write_po(f, catalog, width=120)
    for key in missing:
        print(f"untranslated: {key!r}")
    return 0


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings) and "fuzzy" not in message.flags


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
