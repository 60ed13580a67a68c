"""Read-only pages of the embedded demo: the case list and one case's timeline."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from worklists.models import WorkItem

from .models import Case


@login_required
def home(request):
    cases = Case.objects.select_related("version__definition").order_by("-id")
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    counts = {s: Case.objects.filter(status=s).count() for s, _ in Case.Status.choices}
    return render(request, "engine/home.html", {"page": page, "counts": counts})


@login_required
def case_detail(request, number):
    case = get_object_or_404(Case.objects.select_related("version__definition"), number=number)
    events = case.events.select_related("actor").order_by("id")
    items = WorkItem.objects.filter(case=case).select_related("department", "assignee").order_by("id")
    return render(request, "engine/case_detail.html", {"case": case, "events": events, "items": items})
