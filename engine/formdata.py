"""Form data a task takes, checked against the form fields its BPMN names (Camunda formData).

Pure functions, no database. Unknown fields are refused, required ones required, and each value
must be of its field's type: ``string``, ``long``, ``boolean``, ``date`` (ISO 8601, YYYY-MM-DD)
or ``enum`` (one of the field's value ids). A type the engine does not know takes any JSON scalar.
"""

from __future__ import annotations

import datetime as dt

MAX_STRING = 10_000
MAX_DEPTH = 20
LONG_RANGE = (-(2**63), 2**63 - 1)


class FormDataError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def _string(value, field):
    if not isinstance(value, str):
        raise ValueError("应为文本。 must be text.")
    if len(value) > MAX_STRING:
        raise ValueError(f"超过 {MAX_STRING} 个字符。 is longer than {MAX_STRING} characters.")
    return value


def _long(value, field):
    if isinstance(value, bool) or not isinstance(value, int) or not LONG_RANGE[0] <= value <= LONG_RANGE[1]:
        raise ValueError("应为整数。 must be a whole number.")
    return value


def _boolean(value, field):
    if not isinstance(value, bool):
        raise ValueError("应为 true 或 false。 must be true or false.")
    return value


def _date(value, field):
    try:
        dt.date.fromisoformat(_string(value, field))
    except ValueError:
        raise ValueError("应为日期 YYYY-MM-DD。 must be a date, YYYY-MM-DD.") from None
    return value


def _enum(value, field):
    ids = [v.get("id") for v in field.get("values") or []]
    if value not in ids:
        raise ValueError(f"应为以下之一 must be one of: {', '.join(str(i) for i in ids)}.")
    return value


def _scalar(value, field):
    if isinstance(value, str):
        return _string(value, field)
    if value is None or isinstance(value, dict | list):
        raise ValueError("应为文本、数字或布尔值。 must be text, a number or a boolean.")
    return value


CHECKS = {"string": _string, "long": _long, "integer": _long, "boolean": _boolean, "date": _date, "enum": _enum}


def check_form_data(fields: list[dict], data: dict) -> dict:
    """The data, checked; raises FormDataError with one bilingual message per wrong field."""
    by_id = {f["id"]: f for f in fields}
    errors: dict[str, str] = {}
    for key in data:
        if key not in by_id:
            offered = ", ".join(by_id) or "无 none"
            errors[key] = f"表单没有字段「{key}」。 The task's form has no field '{key}' (it has: {offered})."
    cleaned = {}
    for field_id, field in by_id.items():
        label = field.get("label") or field_id
        value = data.get(field_id)
        if value is None or (value == "" and field.get("required")):
            if field.get("required"):
                errors[field_id] = f"「{label}」为必填项。 '{label}' is required."
            continue
        try:
            cleaned[field_id] = CHECKS.get(field.get("type") or "string", _scalar)(value, field)
            check_json_text(value)
        except ValueError as error:
            errors[field_id] = f"「{label}」{error}"
    if errors:
        raise FormDataError(errors)
    return cleaned


def check_json_text(value, depth: int = 0) -> None:
    """Refuse what the database cannot store or the engine should not carry: NUL characters in
    any string (PostgreSQL text and jsonb reject them) and nesting deeper than MAX_DEPTH."""
    if depth > MAX_DEPTH:
        raise ValueError(f"嵌套超过 {MAX_DEPTH} 层。 is nested deeper than {MAX_DEPTH} levels.")
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("含有 NUL 字符。 contains a NUL character.")
    elif isinstance(value, dict):
        for key, item in value.items():
            check_json_text(key, depth + 1)
            check_json_text(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_json_text(item, depth + 1)
