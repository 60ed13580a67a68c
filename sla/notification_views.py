"""A person's notifications (督办提醒): what escalation told them, newest first."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .notification_models import Notification
from .notifications import do_mark_read, unread
from .texts import notification_text


def unread_count(user) -> int:
    """For the menu badge; served by the notification_unread partial index."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return unread(user).count()


@login_required
def notifications(request):
    mine = Notification.objects.filter(recipient=request.user).order_by("-created_at")
    page = Paginator(mine, 25).get_page(request.GET.get("page"))
    rows = [(note, *notification_text(note)) for note in page]  # in the reader's language
    return render(request, "sla/notifications.html", {"page": page, "rows": rows, "unread": unread_count(request.user)})


@login_required
@require_POST
def mark_read(request):
    """Mark one notification (``id``) or all of them read; only one's own."""
    one = request.POST.get("id", "")
    do_mark_read(request.user, [int(one)] if one.isdigit() else None)
    return redirect("sla:notifications")
