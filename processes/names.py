"""Names in one language. A designer often writes a label in both, Chinese first ("营业执照审查
Business licence review", a lane "人社 Human resources and social security"); a department or a
service item may carry its English name apart (``name_en``). Pages show the reader's language.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language

# Chinese script and punctuation (CJK, its symbols and punctuation, full-width forms).
_CHINESE = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")


def split_bilingual(label: str, name_en: str = "") -> tuple[str, str]:
    """(Chinese, English) of a label: '税务 Taxation' -> ('税务', 'Taxation'); a sentence in both,
    '注册资本超过 10 亿元，须按一般程序审查。 Registered capital over ...', splits at the space after its
    last Chinese character; a text of lines, the Chinese paragraph first, splits at the first line
    break; a label in one language is its own Chinese, with ``name_en`` (if given) as its English."""
    label = (label or "").strip()
    if "\n" in label:
        head, _, tail = label.partition("\n")
    else:
        last = max((m.end() for m in _CHINESE.finditer(label)), default=0)
        space = next((i for i in range(last, len(label)) if label[i].isspace()), None)
        head, tail = (label[:space], label[space:]) if last and space is not None else (label, "")
    head, tail = head.strip(), tail.strip()
    if tail and not _CHINESE.search(tail) and _CHINESE.search(head):
        return head, name_en or tail
    return label or "", name_en if name_en and name_en not in (label or "") else ""


def in_language(label: str, name_en: str = "", language: str | None = None) -> str:
    """The label in ``language`` (the reader's by default); where it has no English, as written."""
    chinese, english = split_bilingual(label, name_en)
    if (language or get_language() or "zh-hans").startswith("en"):
        return english or label or ""
    return chinese if english else (label or "")
