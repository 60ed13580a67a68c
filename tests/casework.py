"""Helpers of the casework tests: a case in its fan-out, a task held, a task worked."""

from __future__ import annotations

from engine.actions import do_claim_task, do_complete_task
from tests.conftest import decision
from worklists.models import WorkItem

from .test_engine__business_registration import DEPARTMENT_REVIEWS, open_tasks, start

REASON = "经营范围表述需重新审查。 The business scope must be reviewed again."


def holding(case, spec, user):
    """The open item of ``spec``, claimed by ``user``."""
    item = WorkItem.objects.get(case=case, task_spec=spec, state="open")
    do_claim_task(item.pk, acting_user=user)
    item.refresh_from_db()
    return item


def work(case, spec, user, outcome="approve"):
    item = holding(case, spec, user)
    return do_complete_task(
        item.pk, acting_user=user, outcome=outcome, data=decision(outcome, item.version.user_task(spec))
    )


def fan_out(reference, frontdesk, clerk_market):
    """A case on v2 in its parallel fan-out: four departments and the bank to go."""
    case = start(reference)
    work(case, "intake", frontdesk, "accept")
    work(case, "market_review", clerk_market)
    assert open_tasks(case) == sorted(DEPARTMENT_REVIEWS)
    return case
