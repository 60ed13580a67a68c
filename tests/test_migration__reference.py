"""The reference process: business registration v1 (serial) against v2 (parallel), both ways."""

from __future__ import annotations

from django.utils import translation

from engine.actions import do_complete_task, do_deliver_message, do_start_case
from engine.migration import do_migrate_case, do_migrate_cases, dry_run
from engine.models import Case, Event, WaitingTimer
from worklists.models import WorkItem

PASSING = ("accept", "approve", "pass")


def advance(case, until: str) -> Case:
    """Approve whatever is open until ``until`` is (or nothing is)."""
    for _ in range(20):
        items = WorkItem.objects.filter(case=case, state="open").order_by("id")
        if items.filter(task_spec=until).exists() or not items.exists():
            return case
        item = items.first()
        outcomes = item.version.user_task(item.task_spec).get("outcomes") or [""]
        do_complete_task(item.pk, outcome=next((o for o in PASSING if o in outcomes), outcomes[0]))
    raise AssertionError(f"{case.number} never reached {until}")


def test_serial_cases_move_to_the_parallel_version_only_before_the_departments_start(reference):
    serial, parallel, item = reference["serial"], reference["parallel"], reference["item"]
    at = {
        spot: advance(do_start_case(version=serial, service_item=item), spot)
        for spot in ("intake", "market_review", "police_review", "tax_review")
    }
    verdicts = {v.number: v for v in dry_run(serial, parallel)}
    movable = {spot for spot, case in at.items() if verdicts[case.number].movable}
    assert movable == {"intake", "market_review"}
    # A case already with the police (serial) would wait at v2's join for the departments that,
    # in v2, start beside the police: the verdict names them.
    reason = verdicts[at["police_review"].number].reason()
    assert "“汇总”要等" in reason and "发票申领" in reason and "银行开户" in reason
    assert "公章刻制备案" not in reason.split("要等")[1]  # the police branch is the one the case is on
    with translation.override("en"):
        english = {v.number: v for v in dry_run(serial, parallel)}[at["police_review"].number].reason()
    assert "'Join' waits for" in english and "Invoices" in english and "Bank account opened" in english
    assert "Company seal" not in english.split("waits for")[1]

    report = do_migrate_cases(serial, parallel)
    assert sorted(report.migrated) == sorted(at[s].number for s in movable)
    case = advance(at["market_review"], "tax_review")  # on v2 now: after market regulation, the fan-out
    assert set(WorkItem.objects.filter(case=case, state="open").values_list("task_spec", flat=True)) == {
        "police_review",
        "tax_review",
        "hrss_review",
        "fund_review",
    }


def test_parallel_cases_past_the_fan_out_cannot_move_to_the_serial_version(reference):
    serial, parallel, item = reference["serial"], reference["parallel"], reference["item"]
    fanned = advance(do_start_case(version=parallel, service_item=item), "police_review")
    fresh = do_start_case(version=parallel, service_item=item)
    verdicts = {v.number: v for v in dry_run(parallel, serial)}
    assert verdicts[fresh.number].movable
    assert not verdicts[fanned.number].movable
    assert "同一路径上有两个令牌" in verdicts[fanned.number].reason()


def test_a_case_waiting_for_its_rating_moves_without_its_licences_being_issued_again(reference):
    serial, parallel, item = reference["serial"], reference["parallel"], reference["item"]
    case = do_start_case(
        version=serial, service_item=item, enterprise_name="北京并联科技有限公司", enterprise_uscc="91350100M000100Y43"
    )
    for _ in range(20):  # the departments approve, the bank opens the account, the licences are issued
        if WaitingTimer.objects.filter(case=case, task_spec="rating_window_closed", fired_at=None).exists():
            break
        if WorkItem.objects.filter(case=case, state="open").exists():
            advance(case, "nothing")
        else:
            do_deliver_message(case.number, "bank_account_opened")
    kinds = ("licence_issued", "case_concluded", "result_flagged")
    before = {kind: Event.objects.filter(case=case, kind=kind).count() for kind in kinds}
    assert before["licence_issued"] == 3 and before["case_concluded"] == 1

    do_migrate_case(case.pk, to_version=parallel)
    assert {kind: Event.objects.filter(case=case, kind=kind).count() for kind in kinds} == before
    do_deliver_message(case.number, "service_rated", payload={"rating": 5})
    case.refresh_from_db()
    assert (case.version, case.status) == (parallel, Case.Status.COMPLETED)
