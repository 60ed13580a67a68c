"""Clerks working the peer flow through viewflow's own API, as its pages would.

A clerk's two POSTs, without HTTP and templates: *assign* (viewflow's AssignTaskView under
``wrap_task_view``) and *execute* (the task view under ``wrap_view``: lock the process, start the
activation, save the form's process, ``activation.execute()``). The same phases as bench/drive.py.
"""

from __future__ import annotations

from contextlib import nullcontext

from django.contrib.auth import get_user_model
from django.db import transaction
from viewflow.workflow.models import Task
from viewflow.workflow.status import PROCESS, STATUS

from .flows import DEPARTMENTS, BusinessRegistrationFlow


def _no_meter(phase: str):
    return nullcontext()


class PeerClerks:
    def __init__(self, *, meter=_no_meter):
        self.meter = meter
        User = get_user_model()
        self.users = {
            name: User.objects.get_or_create(username=f"peer_{name}")[0] for name in ["front_desk", *DEPARTMENTS]
        }
        self.completions = 0

    def user_for(self, task: Task):
        name = task.flow_task.name
        return self.users["front_desk" if name == "intake" else name]

    def assign(self, task_pk: int, process_pk: int, user) -> None:
        with BusinessRegistrationFlow.lock(process_pk), transaction.atomic():
            task = Task.objects.get(pk=task_pk)
            if task.process.flow_class != BusinessRegistrationFlow:
                raise RuntimeError("a task of another flow")
            activation = task.flow_task.activation_class(task)
            if not task.flow_task.can_assign(user, task):
                raise RuntimeError(f"{user} may not assign {task}")
            activation.assign(user)

    def execute(self, task_pk: int, process_pk: int, user, outcome: str) -> None:
        with BusinessRegistrationFlow.lock(process_pk), transaction.atomic():
            task = Task.objects.get(pk=task_pk)
            if task.process.flow_class != BusinessRegistrationFlow:
                raise RuntimeError("a task of another flow")
            activation = task.flow_task.activation_class(task)
            if not task.flow_task.can_execute(user, task):
                raise RuntimeError(f"{user} may not execute {task}")
            activation.start(None)
            process = activation.process
            process.data[f"{task.flow_task.name}_outcome"] = outcome  # what the task's form saves
            process.save()
            activation.execute()

    def run(self, n: int):
        with self.meter("start"):
            process = BusinessRegistrationFlow.start.run(
                applicant_name="王伟", enterprise_name=f"杭州测试{n}科技有限公司"
            )
        while True:
            with self.meter("read"):
                tasks = list(
                    Task.objects.filter(process_id=process.pk, flow_task_type="HUMAN", status=STATUS.NEW).order_by("id")
                )
            if not tasks:
                break
            for task in tasks:
                user = self.user_for(task)
                with self.meter("claim"):
                    self.assign(task.pk, process.pk, user)
                with self.meter("complete"):
                    self.execute(task.pk, process.pk, user, "approve")
                self.completions += 1
        process.refresh_from_db()
        if process.status != PROCESS.DONE:
            raise RuntimeError(f"peer process {process.pk} did not end: {process.status}")
        return process
