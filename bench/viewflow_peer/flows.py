"""Business registration as viewflow's documentation would have it: one intake task, a Split into
the five department tasks, each under a deadline, a Join and the End.

Each department task carries its deadline as viewflow's own timer boundary event (``OnTimeout``):
a task row scheduled at the due moment, swept by viewflow's timer dispatcher, cancelled when the
department answers in time. The flow locks its process row (``select_for_update_lock``): viewflow's
default is no lock at all, which its own checks call unsafe for a Join.
"""

from __future__ import annotations

import datetime as dt

from viewflow import this
from viewflow.workflow import flow, lock
from viewflow.workflow.flow.views import UpdateProcessView

DEPARTMENTS = ["market", "police", "tax", "hrss", "fund"]
DEADLINE = dt.timedelta(days=5)


def review():
    # The page a clerk would use; the benchmark completes tasks through the activation, as the view does.
    return flow.View(UpdateProcessView.as_view(fields=[])).OnTimeout(DEADLINE, this.join).Next(this.join)


class BusinessRegistrationFlow(flow.Flow):
    """企业开办 Business registration (peer)"""

    lock_impl = lock.select_for_update_lock

    start = flow.StartHandle(this.start_case).Next(this.intake)
    intake = flow.View(UpdateProcessView.as_view(fields=[])).Next(this.split)
    split = flow.Split().Next(this.market).Next(this.police).Next(this.tax).Next(this.hrss).Next(this.fund)
    market = review()
    police = review()
    tax = review()
    hrss = review()
    fund = review()
    join = flow.Join().Next(this.end)
    end = flow.End()

    def start_case(self, activation, **application):
        activation.process.data = dict(application)
        return activation.process
