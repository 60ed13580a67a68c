"""Form data a task takes, checked against the form fields its BPMN names (Camunda formData).

Pure functions, no database. Unknown fields are refused, required ones required, and each value
must be of its field's type: ``string``, ``long``, ``boolean``, ``date`` (ISO 8601, YYYY-MM-DD)
or ``enum`` (one of the field's value ids). A type the engine does not know takes any JSON scalar.
Each problem is one sentence naming its field, in the reader's language.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from processes.names import in_language

MAX_STRING = 10_000
MAX_DEPTH = 20
LONG_RANGE = (-(2**63), 2**63 - 1)


class FormDataError(ValueError):
    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def _name(field: dict) -> str:
    """The field as the form shows it: its label (in the reader's language), else its id."""
    return in_language(field.get("label") or field.get("id") or "")


def _string(value, field):
    if not isinstance(value, str):
        raise ValueError(_("'%(field)s' must be text.") % {"field": _name(field)})
    if len(value) > MAX_STRING:
        raise ValueError(
            _("'%(field)s' is longer than %(max)s characters.") % {"field": _name(field), "max": MAX_STRING}
        )
    return value


def _long(value, field):
    if isinstance(value, bool) or not isinstance(value, int) or not LONG_RANGE[0] <= value <= LONG_RANGE[1]:
        raise ValueError(_("'%(field)s' must be a whole number.") % {"field": _name(field)})
    return value


def _boolean(value, field):
    if not isinstance(value, bool):
        raise ValueError(_("'%(field)s' must be true or false.") % {"field": _name(field)})
    return value


def _date(value, field):
    try:
        dt.date.fromisoformat(_string(value, field))
    except ValueError:
        raise ValueError(_("'%(field)s' must be a date, YYYY-MM-DD.") % {"field": _name(field)}) from None
    return value


def _enum(value, field):
    ids = [v.get("id") for v in field.get("values") or []]
    if value not in ids:
        values = pgettext("list separator", ", ").join(str(i) for i in ids)
        raise ValueError(_("'%(field)s' must be one of: %(values)s.") % {"field": _name(field), "values": values})
    return value


def _scalar(value, field):
    if isinstance(value, str):
        return _string(value, field)
    if value is None or isinstance(value, dict | list):
        raise ValueError(_("'%(field)s' must be text, a number or a boolean.") % {"field": _name(field)})
    return value


CHECKS = {"string": _string, "long": _long, "integer": _long, "boolean": _boolean, "date": _date, "enum": _enum}


def check_form_data(fields: list[dict], data: dict) -> dict:
    """The data, checked; raises FormDataError with one message per wrong field."""
    by_id = {f["id"]: f for f in fields}
    errors: dict[str, str] = {}
    for key in data:
        if key not in by_id:
            offered = pgettext("list separator", ", ").join(by_id) or pgettext("fields", "none")
            errors[key] = _("The task's form has no field '%(field)s' (it has: %(fields)s).") % {
                "field": key,
                "fields": offered,
            }
    cleaned = {}
    for field_id, field in by_id.items():
        value = data.get(field_id)
        if value is None or (value == "" and field.get("required")):
            if field.get("required"):
                errors[field_id] = _("'%(field)s' is required.") % {"field": _name(field)}
            continue
        try:
            cleaned[field_id] = CHECKS.get(field.get("type") or "string", _scalar)(value, field)
            check_json_text(value, _name(field))
        except ValueError as error:
            errors[field_id] = str(error)
    if errors:
        raise FormDataError(errors)
    return cleaned


def check_json_text(value, name: str = "", depth: int = 0) -> None:
    """Refuse what the database cannot store or the engine should not carry: NUL characters in
    any string (PostgreSQL text and jsonb reject them) and nesting deeper than MAX_DEPTH. ``name``:
    what the message calls the value (a field's name), if anything."""
    if depth > MAX_DEPTH:
        if name:
            raise ValueError(_("'%(field)s' is nested deeper than %(max)s levels.") % {"field": name, "max": MAX_DEPTH})
        raise ValueError(_("The data is nested deeper than %(max)s levels.") % {"max": MAX_DEPTH})
    if isinstance(value, str):
        if "\x00" in value:
            if name:
                raise ValueError(_("'%(field)s' contains a NUL character.") % {"field": name})
            raise ValueError(_("The data contains a NUL character."))
    elif isinstance(value, dict):
        for key, item in value.items():
            check_json_text(key, name, depth + 1)
            check_json_text(item, name, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_json_text(item, name, depth + 1)
