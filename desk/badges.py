"""The menu's badge counts (待签收 queue, 我的待办 inbox, 通知 unread notices), cached for a few seconds.

Exact per-department counts slow from 5 ms to 36 ms under write load (DESIGN.md), and every page
shows them, so each count is cached for WORKLIST_BADGE_SECONDS (30 s) under a key per department
or per user. A clerk's own claim, release or completion forgets the keys it changed, so the
clerk sees their own action at once; other people's actions show within the cache time.

The worklist page's paginator takes its total from the same cache (see desk.views), so the
badge and the page agree and a page view does not COUNT(*) a department's whole queue.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from sla.notification_views import unread_count
from worklists import access
from worklists.models import Copy, WorkItem

PREFIX = "desk:count"


def queue_key(department_code: str, filters: str = "") -> str:
    return f"{PREFIX}:queue:{department_code}:{filters}"


def inbox_key(user_id: int) -> str:
    return f"{PREFIX}:inbox:{user_id}"


def cached_count(key: str, count: Callable[[], int]) -> int:
    value = cache.get(key)
    if value is None:
        value = count()
        cache.set(key, value, settings.WORKLIST_BADGE_SECONDS)
    return value


def claimable(department_code: str):
    """待签收: the department's open items nobody holds, the most urgent first (workitem_queue)."""
    return WorkItem.objects.queue(department_code).filter(assignee=None)


def queue_count(department_code: str) -> int:
    return cached_count(queue_key(department_code), lambda: claimable(department_code).count())


def inbox_count(user) -> int:
    return cached_count(inbox_key(user.pk), lambda: WorkItem.objects.inbox(user).count())


def copies_key(user_id: int) -> str:
    return f"{PREFIX}:copies:{user_id}"


def copies_count(user) -> int:
    """抄送: unread copies (the copy_inbox index)."""
    return cached_count(copies_key(user.pk), lambda: Copy.objects.filter(recipient=user, read_at=None).count())


def forget(*, department_code: str | None = None, users=()) -> None:
    """Drop the unfiltered counts an action changed (filtered ones expire on their own)."""
    keys = [inbox_key(user.pk) for user in users if getattr(user, "pk", None)]
    keys += [copies_key(user.pk) for user in users if getattr(user, "pk", None)]
    if department_code:
        keys.append(queue_key(department_code))
    cache.delete_many(keys)


def badges_for(user) -> dict:
    """What the menu shows: the department's claimable count and the user's inbox, for people
    who work a queue; nothing for the others (supervisors, designers, administrators)."""
    if access.role_of(user) not in access.WORKING_ROLES:
        return {}
    department = access.department_of(user)
    return {
        "queue": queue_count(department) if department else 0,
        "inbox": inbox_count(user),
        "copies": copies_count(user),
    }


def notifications_key(user_id: int) -> str:
    return f"{PREFIX}:notifications:{user_id}"


def notifications_count(user, *, live: bool = False) -> int:
    """Unread escalation notices (督办提醒), cached like the other badges; counted live (and the
    cache renewed) on the notifications page itself, so that marking them read shows there at once."""
    if live:
        cache.delete(notifications_key(user.pk))
    return cached_count(notifications_key(user.pk), lambda: unread_count(user))


def menu_for(user, *, live_notifications: bool = False) -> dict:
    """The menu's entries for a user's role, with the badge counts where they work a queue."""
    role = access.role_of(user)
    reads = role in (access.R.SUPERVISOR, access.R.ADMIN)
    return {
        "role": access.R(role).label if role else "",
        "intake": access.can_take_in(user),
        "work": role in access.WORKING_ROLES or reads,
        "cases": role in access.WORKING_ROLES or reads,
        "sla": access.can_watch_deadlines(user),
        "designer": access.can_design(user),
        "reports": access.can_read_reports(user),
        "admin": user.is_staff,
        "notifications": notifications_count(user, live=live_notifications),
        **badges_for(user),
    }


def menu_badges(request) -> dict:
    """Context processor. Lazy: a page that shows no menu (the login page) asks nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    live = bool(match and match.app_name == "sla" and match.url_name in ("notifications", "mark_read"))
    return {"menu": SimpleLazyObject(lambda: menu_for(user, live_notifications=live))}
