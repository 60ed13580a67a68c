"""What the deadline pages and notices say in words, in the active language (docs/translating.md):
working time ("2 个工作日 1.5 小时", "2 working days 1.5 working hours") and escalation notices.

An escalation notice is stored in the site's default language (``settings.LANGUAGE_CODE``: the
sweep runs outside any request, and the e-mail and the SMS are sent from the stored title and
body), together with the facts it was made from (``Notification.data``), so that the
notifications page can say it again in the reader's language.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from processes.names import in_language

from .escalation_models import WORKING_HOURS_PER_DAY
from .notification_models import Notification


def _plural(number: float) -> int:
    """The count that picks a plural form: a fraction takes the plural (0.5 hours, 1.5 hours)."""
    return int(number) if float(number).is_integer() else 2


def working_time(hours: float) -> str:
    """Office time in working days (7 hours each) and hours: "2 working days 1.5 working hours",
    "3 working hours", "0 working hours"; days alone when no hour is left over."""
    hours = round(max(hours, 0.0), 1)
    days, rest = divmod(hours, WORKING_HOURS_PER_DAY)
    days, rest = int(days), round(rest, 1)
    parts = []
    if days:
        parts.append(ngettext("%(n)s working day", "%(n)s working days", days) % {"n": days})
    if rest or not days:
        parts.append(ngettext("%(n)s working hour", "%(n)s working hours", _plural(rest)) % {"n": f"{rest:g}"})
    return " ".join(parts)


def overdue_text(hours: float) -> str:
    """How overdue a task is, as the end of a sentence: "is now overdue", "is 1 working day overdue"."""
    if round(hours, 1) < 0.1:
        return _("is now overdue")
    return _("is %(time)s overdue") % {"time": working_time(hours)}


def escalation_notice(data: dict) -> tuple[str, str]:
    """(title, body) of an escalation notice, from the facts ``escalation_data`` keeps."""
    words = {
        "level": data["level"],
        "case": data["case"],
        "task": in_language(data["task"]),
        "department": in_language(data["department"], data.get("department_en", "")),
        "due": data["due"],
        "overdue": overdue_text(data["overdue_hours"]),
    }
    title = _("Escalation level %(level)s: %(case)s “%(task)s” %(overdue)s") % words
    body = (
        _(
            "Case %(case)s: the task “%(task)s” (%(department)s) was due by %(due)s and %(overdue)s. "
            "It has reached escalation level %(level)s; please see that it is done."
        )
        % words
    )
    urges = data.get("urges") or 0
    if urges:
        body += " " + ngettext("It was urged %(n)s time.", "It was urged %(n)s times.", urges) % {"n": urges}
    return title, body


TEXTS = {Notification.Kind.ESCALATION: escalation_notice}


def register(kind: str, wording) -> None:
    """An app's wording of its notices: ``wording(data) -> (title, body)`` in the active language."""
    TEXTS[kind] = wording


def notification_text(notification: Notification) -> tuple[str, str]:
    """(title, body) of a notification in the active language where its facts were kept;
    otherwise as stored (older rows, and notices other apps write as text)."""
    say = TEXTS.get(notification.kind)
    if say is not None and notification.data:
        try:
            return say(notification.data)
        except (KeyError, TypeError, ValueError):  # facts of an older shape: the stored words still hold
            pass
    return notification.title, notification.body
