"""Moving running cases to another version of their process: the dry run, the move, the way back.

The dry run and the move run the same code on a case's workflow: the checks of
``migration_plan.CasePlan``, then the move itself and the engine steps that follow. The dry run
does it on a copy loaded from the database and throws it away; the move does it under the
case's row lock and saves it. So the dry run's verdict is what the move will do, unless the
case moves on in between (then the move checks again and says so).

Each case moves in its own transaction (``do_migrate_case``): lock the row, check, move, update
the projections (work items keep their task ids and deadlines, timer rows their due times), log
``case_migrated`` with what the way back needs, save. A bulk move is a loop of those; one case
that cannot move never stops the others.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from processes.models import ProcessVersion
from worklists.models import WorkItem

from . import workflow_tasks as wt
from .alignment import Alignment, align_versions
from .errors import CaseNotRunning, EngineError, InvalidInput, MigrationRefused
from .migration_plan import CasePlan, CaseVerdict, migrate_workflow
from .models import Case, Event, InstanceState, WaitingTimer
from .state import load_workflow
from .stepping import Step

logger = logging.getLogger(__name__)


@dataclass
class MigrationReport:
    batch: str
    migrated: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def running_cases(version):
    return Case.objects.filter(version=version, status=Case.Status.RUNNING).order_by("id")


def trial(
    number: str, workflow, alignment: Alignment, task_targets: dict | None = None, *, run_engine: bool = True
) -> tuple[CaseVerdict, object]:
    """Check and move ``workflow`` (in place); returns the verdict and the moved workflow (None if
    it cannot move). With ``run_engine`` (the dry run), what the engine does right after the move
    runs too; the move itself runs it in its step instead (see do_migrate_case)."""
    plan = CasePlan(workflow, alignment, task_targets)
    if plan.problems:
        return CaseVerdict(number, False, plan.problems, plan.positions), None
    try:
        moved = migrate_workflow(plan)
    except Exception as error:  # noqa: BLE001 - whatever stops the move, the verdict says it
        logger.info("case %s cannot be moved to %s: %r", number, alignment.new_version, error)
        return CaseVerdict(
            number, False, [_("It cannot be moved: %(error)s") % {"error": wt.failure_text(error)}], plan.positions
        ), None
    reason = continue_on(moved, alignment.new_version, number) if run_engine else None
    if reason:
        return CaseVerdict(number, False, [reason], plan.positions), None
    return CaseVerdict(number, True, [], plan.positions), moved


def continue_on(workflow, version, number: str) -> str | None:
    """Run the engine steps that follow the move; why the case cannot continue, or None."""
    try:
        wt.run_engine_steps(workflow)
    except Exception as error:  # noqa: BLE001 - a condition or script of the new version failed
        logger.info("case %s cannot continue on %s: %r", number, version, error)
        return _("It could not continue on v%(number)s: %(error)s") % {
            "number": version.number,
            "error": wt.failure_text(error),
        }
    return None


def dry_run(
    from_version, to_version, *, mapping: dict | None = None, numbers=None, alignment: Alignment | None = None
) -> list[CaseVerdict]:
    """The verdict on each running case of ``from_version`` (or the given case numbers). Writes nothing."""
    _check_versions(from_version, to_version)
    alignment = alignment or align_versions(from_version, to_version, mapping)
    cases = running_cases(from_version)
    if numbers is not None:
        cases = cases.filter(number__in=list(numbers))
    states = dict(InstanceState.objects.filter(case__in=cases).values_list("case_id", "state"))
    verdicts = []
    for case_id, number in cases.values_list("pk", "number"):
        verdict, _moved = trial(number, load_workflow(from_version, states[case_id]), alignment)
        verdicts.append(verdict)
    return verdicts


def _check_versions(from_version, to_version) -> None:
    if from_version.definition_id != to_version.definition_id:
        raise InvalidInput(
            _("%(from)s and %(to)s are versions of different processes.")
            % {"from": from_version.label, "to": to_version.label}
        )
    if from_version.pk == to_version.pk:
        raise InvalidInput(
            _("The source and target versions are the same (v%(number)s).") % {"number": to_version.number}
        )


def do_migrate_case(
    case_id: int,
    *,
    to_version,
    mapping: dict | None = None,
    acting_user=None,
    from_version=None,
    alignment: Alignment | None = None,
    batch: str | None = None,
    task_targets: dict | None = None,
    back_of: int | None = None,
) -> CaseVerdict:
    """Move one case to ``to_version`` in one transaction; raises MigrationRefused if it cannot."""
    with transaction.atomic():
        step = Step.lock(case_id, acting_user)
        case, old_version = step.case, step.case.version
        if case.status != Case.Status.RUNNING:
            raise CaseNotRunning.of(case)
        if from_version is not None and case.version_id != from_version.pk:
            raise MigrationRefused(
                _("Case %(case)s is on v%(now)s now, not v%(from)s.")
                % {"case": case.number, "now": old_version.number, "from": from_version.number}
            )
        _check_versions(old_version, to_version)
        if alignment is None or alignment.old_version.pk != old_version.pk:
            alignment = align_versions(old_version, to_version, mapping)
        verdict, moved = trial(case.number, step.workflow, alignment, task_targets, run_engine=False)
        if not verdict.movable:
            raise refused(case.number, verdict.reason())
        case.version = to_version
        case.save(update_fields=["version"])
        # A new step over the moved workflow: what it remembers as "before" (ready tasks, timers,
        # effects already done) must be read against the new version, with the same task ids.
        step = Step(case, moved, acting_user)
        reason = continue_on(step.workflow, to_version, case.number)
        if reason:
            raise refused(case.number, reason)
        changes = _update_projections(step, to_version)
        step.log(
            Event.Kind.CASE_MIGRATED,
            activity_name=f"v{old_version.number} → v{to_version.number}",
            data={
                "from_version": old_version.pk,
                "from_number": old_version.number,
                "to_version": to_version.pk,
                "to_number": to_version.number,
                "mapping": alignment.renamed,
                "batch": batch,
                "back_of": back_of,
                "work_items": changes,
                "positions": [
                    {"task_id": p.task_id, "from": p.step, "to": p.target, "name": p.name} for p in verdict.positions
                ],
            },
        )
        step.save()
    return verdict


def refused(number: str, reason: str) -> MigrationRefused:
    return MigrationRefused(_("Case %(case)s cannot move: %(reason)s") % {"case": number, "reason": reason})


def _update_projections(step: Step, to_version) -> list[dict]:
    """Open work items and pending timers follow their tasks to the new steps. Deadlines stay:
    a case does not get more (or less) time because its process changed under it."""
    changes = []
    for item in WorkItem.objects.filter(case=step.case, state=WorkItem.State.OPEN).select_related("assignee"):
        task = step.task_or_none(item.task_id)
        if task is None:
            continue
        meta = to_version.user_task(task.task_spec.bpmn_id)
        before = {"task_spec": item.task_spec, "department": item.department_id}
        item.task_spec, item.version = task.task_spec.bpmn_id, to_version
        item.name = meta.get("name") or task.task_spec.bpmn_name or item.task_spec
        item.candidate_group = meta.get("candidate_group", "")
        if meta.get("department") and meta["department"] != item.department_id:
            # Another department's queue now: whoever held it there no longer does.
            item.department_id, item.assignee, item.claimed_at = meta["department"], None, None
        item.save(
            update_fields=["task_spec", "version", "name", "candidate_group", "department", "assignee", "claimed_at"]
        )
        changes.append(
            {
                "work_item": item.pk,
                **{f"from_{k}": v for k, v in before.items()},
                "to_task_spec": item.task_spec,
                "to_department": item.department_id,
            }
        )
    for timer in WaitingTimer.objects.filter(case=step.case, fired_at=None, cancelled_at=None):
        task = step.task_or_none(timer.task_id)
        if task is not None:
            timer.task_spec, timer.name = wt.timer_label(task)
            timer.save(update_fields=["task_spec", "name"])
    return changes


def do_migrate_cases(
    from_version,
    to_version,
    *,
    mapping: dict | None = None,
    acting_user=None,
    numbers=None,
    progress: Callable[[str], None] | None = None,
) -> MigrationReport:
    """Move the running cases of ``from_version`` (or the given numbers), each in its own transaction."""
    _check_versions(from_version, to_version)
    alignment = align_versions(from_version, to_version, mapping)  # a wrong mapping stops here, before any case
    report = MigrationReport(batch=uuid.uuid4().hex)
    cases = running_cases(from_version)
    if numbers is not None:
        cases = cases.filter(number__in=list(numbers))
    for case_id, number in list(cases.values_list("pk", "number")):
        _one(
            report,
            number,
            lambda case_id=case_id: do_migrate_case(
                case_id,
                to_version=to_version,
                from_version=from_version,
                alignment=alignment,
                acting_user=acting_user,
                batch=report.batch,
            ),
        )
        if progress:
            progress(number)
    return report


def _one(report: MigrationReport, number: str, move) -> None:
    try:
        move()
        report.migrated.append(number)
    except (MigrationRefused, CaseNotRunning) as error:
        report.refused.append((number, str(error)))
    except EngineError as error:
        report.failed.append((number, str(error)))
    except Exception as error:  # noqa: BLE001 - one broken case never stops the batch; it is reported
        logger.exception("migrating case %s failed", number)
        report.failed.append((number, f"{type(error).__name__}: {error}"))


def last_migration(case_id: int) -> Event | None:
    return Event.objects.filter(case_id=case_id, kind=Event.Kind.CASE_MIGRATED).order_by("-id").first()


def do_migrate_case_back(
    case_id: int,
    *,
    acting_user=None,
    batch: str | None = None,
    alignments: dict | None = None,
    of_batch: str | None = None,
) -> CaseVerdict:
    """Undo the case's last migration: back to the version it came from, each live task to the
    step it was at (if it has not moved on), the renames reversed."""
    event = last_migration(case_id)
    if event is None:
        raise MigrationRefused(_("This case was never migrated."))
    if of_batch is not None and event.data.get("batch") != of_batch:
        raise MigrationRefused(_("The case was migrated again since; move that one back first."))
    data = event.data
    renamed = data.get("mapping") or {}
    targets = [new for new in renamed.values()]
    inverse = {new: old for old, new in renamed.items() if targets.count(new) == 1}
    task_targets = {p["task_id"]: p["from"] for p in data.get("positions", []) if p.get("from")}
    back_to = ProcessVersion.objects.get(pk=data["from_version"])
    now_on = ProcessVersion.objects.get(pk=data["to_version"])
    # A batch moves back many cases the same way: align the two versions once (``alignments``).
    key = (now_on.pk, back_to.pk, tuple(sorted(inverse.items())))
    alignment = (alignments or {}).get(key) or align_versions(now_on, back_to, inverse)
    if alignments is not None:
        alignments[key] = alignment
    return do_migrate_case(
        case_id,
        to_version=back_to,
        from_version=now_on,
        alignment=alignment,
        acting_user=acting_user,
        task_targets=task_targets,
        back_of=event.pk,
        batch=batch,
    )


def do_migrate_batch_back(
    batch: str, *, acting_user=None, progress: Callable[[str], None] | None = None
) -> MigrationReport:
    """Undo a bulk migration: each case of the batch back, each in its own transaction."""
    report, alignments = MigrationReport(batch=uuid.uuid4().hex), {}
    moved = Event.objects.filter(kind=Event.Kind.CASE_MIGRATED, data__batch=batch).order_by("id")
    for case_id, number in list(moved.values_list("case_id", "case__number")):
        _one(
            report,
            number,
            lambda case_id=case_id: do_migrate_case_back(
                case_id, acting_user=acting_user, batch=report.batch, alignments=alignments, of_batch=batch
            ),
        )
        if progress:
            progress(number)
    return report
