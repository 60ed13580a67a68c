"""The translations are complete: every string the code marks for translation is in the Chinese
catalogue, translated and not left fuzzy (docs/translating.md)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
CHINESE = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
IGNORED = [".venv", "node_modules", "bench", "tests", "*/build/*", "var"]


def catalogue(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def untranslated(path: Path) -> list[str]:
    """The entries of a catalogue with no translation, or one marked fuzzy (a guess to check)."""
    found = []
    for message in catalogue(path):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            found.append(message.id[0] if isinstance(message.id, tuple) else message.id)
    return found


def keys(path: Path) -> set[tuple]:
    return {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalogue(path) if m.id}


def test_every_chinese_string_is_translated():
    assert untranslated(CHINESE) == []


def test_the_check_finds_an_untranslated_and_a_fuzzy_entry(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Queue"\nmsgstr "待签收"\n\nmsgid "My inbox"\nmsgstr ""\n\n#, fuzzy\nmsgid "Done"\nmsgstr "已办"\n',
        encoding="utf-8",
    )
    assert untranslated(po) == ["My inbox", "Done"]


def test_every_string_marked_in_the_code_is_in_the_catalogue(tmp_path, settings):
    """makemessages run afresh over the code finds no string the committed catalogue lacks."""
    if shutil.which("xgettext") is None:
        if os.getenv("CI", "").lower() == "true":
            pytest.fail("CI=true: GNU gettext's xgettext is needed to read the strings from the code")
        pytest.skip("needs GNU gettext's xgettext (Debian: gettext) to read the strings from the code")
    # The code, seen through links from a folder of its own, so that makemessages writes its
    # catalogue there and never into the repository's.
    source, fresh = tmp_path / "source", tmp_path / "locale"
    source.mkdir()
    (fresh / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    for entry in ROOT.iterdir():
        if entry.is_dir() and entry.name not in ("locale", ".git", *IGNORED) and not entry.name.startswith("."):
            (source / entry.name).symlink_to(entry)
    settings.LOCALE_PATHS = [fresh]
    cwd = os.getcwd()
    os.chdir(source)
    try:
        call_command("makemessages", locale=["zh_Hans"], ignore_patterns=IGNORED, symlinks=True, verbosity=0)
    finally:
        os.chdir(cwd)
    found = keys(fresh / "zh_Hans" / "LC_MESSAGES" / "django.po")
    assert (None, "Queue") in found and ("outcome", "Approve") in found, "makemessages read no code"
    missing = found - keys(CHINESE)
    assert missing == set(), f"not in {CHINESE.relative_to(ROOT)}: run makemessages and translate (docs/translating.md)"
