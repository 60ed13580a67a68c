"""The worklists: which rows a clerk's tab holds, and a page of them that never counts a huge queue."""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from processes.models import ServiceItem
from workdays.lateness import with_light
from worklists import access
from worklists.models import Department, WorkItem

from . import badges

LIGHTS = [
    ("green", _("on time")),
    ("yellow", _("due soon")),
    ("red", _("overdue")),
    ("paused", _("paused")),
    ("none", _("no limit")),
]
TABS = {
    "queue": (_("Queue"), _("open tasks nobody has claimed")),
    "inbox": (_("My inbox"), _("tasks I claimed")),
    "open": (_("All open"), _("every open task of the department")),
    "archive": (_("Done"), _("tasks I completed")),
    "delegated": (_("Delegated to me"), _("work someone holding a task asked me to do")),
    "transfers": (_("Transfers in"), _("tasks other departments offer to this department")),
}
READER_TABS = ("queue", "open")  # supervisors look, they do not work tasks


class LivePage:
    """One page of a list, read live (LIMIT/OFFSET on the list's index, one row more than shown to
    know whether a next page exists), with a total that is told, not counted: the badge cache's
    count, at most WORKLIST_BADGE_SECONDS old. So a page view never runs COUNT(*) over a queue
    of 100,000 rows, and a stale total never hides a row: the rows shown are always the live ones,
    and the total shown is never less than what the pages visibly hold."""

    def __init__(self, rows, number, per_page: int, *, count: int):
        try:
            self.number = min(max(1, int(number or 1)), 1_000_000)  # a silly page number: no silly OFFSET
        except (TypeError, ValueError):
            self.number = 1
        offset = (self.number - 1) * per_page
        fetched = list(rows[offset : offset + per_page + 1])
        self.object_list = fetched[:per_page]
        self._has_next = len(fetched) > per_page
        self.count = max(count, offset + len(fetched))
        self.num_pages = max(1, -(-self.count // per_page), self.number + self._has_next)
        self.paginator = self  # the templates ask page.paginator.count / num_pages, as with Django's Page

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


class Worklist:
    """The request's worklist: whose, which tab, which filters; validated against the gate."""

    def __init__(self, request):
        user, get = request.user, request.GET
        self.user = user
        role = access.role_of(user)
        own = access.department_of(user)
        self.reader = access.reads_everything(user)
        if role not in access.WORKING_ROLES and not self.reader:
            raise PermissionDenied(_("Your role has no worklist."))
        code = get.get("department") or own
        self.departments = list(Department.objects.order_by("code")) if self.reader else []
        self.department = access.access_queue_by_department(user, code) if code else None
        # A supervisor (or an administrator looking at another department) reads; clerks work.
        self.read_only = role not in access.WORKING_ROLES or code != own
        allowed = READER_TABS if self.read_only else tuple(TABS)
        self.tab = get.get("tab") or "queue"
        if self.tab not in allowed:
            raise Http404(_("No such list: %(tab)s") % {"tab": self.tab})
        self.tabs = [(key, *TABS[key]) for key in allowed]
        self.service_items = list(ServiceItem.objects.order_by("code"))
        self.service_item = next((i for i in self.service_items if i.code == get.get("service_item")), None)
        self.light = get.get("light") if get.get("light") in {light for light, _label in LIGHTS} else None
        self.case_number = (get.get("case") or "").strip().upper()[:32]

    @property
    def filtered(self) -> bool:
        return bool(self.service_item or self.light or self.case_number)

    def rows(self):
        code = self.department.code if self.department else None
        rows = {
            "queue": lambda: badges.claimable(code),
            "open": lambda: WorkItem.objects.queue(code),
            "inbox": lambda: WorkItem.objects.inbox(self.user),
            "archive": lambda: WorkItem.objects.archive(self.user),
            "delegated": lambda: WorkItem.objects.filter(state=WorkItem.State.OPEN, delegate=self.user).order_by(
                "due_at", "id"
            ),
            "transfers": lambda: WorkItem.objects.filter(state=WorkItem.State.OPEN, transfer_to=code).order_by(
                "due_at", "id"
            ),
        }[self.tab]()
        if self.service_item:
            rows = rows.filter(service_item=self.service_item)
        if self.light:  # the light now, whether or not a sweep has seen it (workdays.lateness)
            rows = with_light(rows, timezone.now()).filter(light_now=self.light)
        if self.case_number:
            rows = rows.filter(case__number=self.case_number)
        return rows.select_related("case", "assignee", "completed_by", "department")

    def count(self, rows) -> int:
        """The list's total, cached: the unfiltered queue and inbox share the menu badge's key."""
        code = self.department.code if self.department else "-"
        if not self.filtered and self.tab == "queue":
            return badges.queue_count(code)
        if not self.filtered and self.tab == "inbox":
            return badges.inbox_count(self.user)
        whose = code if self.tab in READER_TABS else f"user{self.user.pk}"
        filters = f"{self.service_item.code if self.service_item else ''}|{self.light or ''}|{self.case_number}"
        key = f"{badges.PREFIX}:{self.tab}:{whose}:{hashlib.sha1(filters.encode()).hexdigest()[:16]}"
        return badges.cached_count(key, rows.count)
