"""Names in one language. A designer often writes a label in both, Chinese first ("营业执照审查
Business licence review", a lane "人社 Human resources and social security"); a department or a
service item may carry its English name apart (``name_en``). Pages show the reader's language.
"""

from __future__ import annotations

from django.utils.translation import get_language


def split_bilingual(label: str, name_en: str = "") -> tuple[str, str]:
    """(Chinese, English) of a label: '税务 Taxation' -> ('税务', 'Taxation'); a text of lines,
    the Chinese paragraph first, splits at the first line break; a label in one language is its
    own Chinese, with ``name_en`` (if given) as its English."""
    label = (label or "").strip()
    head, _, tail = label.partition("\n" if "\n" in label else " ")
    head, tail = head.strip(), tail.strip()
    if tail and tail.isascii() and not head.isascii():
        return head, name_en or tail
    return label or "", name_en if name_en and name_en not in (label or "") else ""


def in_language(label: str, name_en: str = "", language: str | None = None) -> str:
    """The label in ``language`` (the reader's by default); where it has no English, as written."""
    chinese, english = split_bilingual(label, name_en)
    if (language or get_language() or "zh-hans").startswith("en"):
        return english or label or ""
    return chinese if english else (label or "")
