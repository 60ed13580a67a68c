"""The report's figures, checked against three cases counted by hand.

The cases run through the real write path at set moments (time-machine) on a review process
with a correction loop (tests/fixtures/engine/review_with_correction.bpmn): market regulation
reviews, the front desk takes in corrected material (the applicant's time, clock paused).
Office hours are 09:00–12:00 and 13:30–17:30 (7 h a working day); 2–10 March 2026 has no holiday.

- A, at the window, no correction: started Mon 2 Mar 09:00, claimed 10:00, approved Tue 10 Mar
  10:00, past the 5-day promise. 43 office hours (7 + 4 × 7 + 7 + 1), 193 calendar hours.
- B, online: started Mon 2 Mar 14:00, claimed 15:00, correction at 16:00 (two materials); the
  applicant's material is taken in Wed 4 Mar 10:00–10:30; claimed 11:00, approved 11:30.
  13 office hours (3.5 + 7 + 2.5), 45.5 calendar hours.
- C, at the window: as B from Thu 5 Mar 14:00 to Mon 9 Mar 11:30, one material missing.
  13 office hours, 93.5 calendar hours.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from engine.actions import do_claim_task, do_complete_task, do_start_case
from engine.models import Case
from processes.actions import do_deploy_version
from processes.models import ServiceItem
from reports.comparison import Comparison
from reports.figures import CaseSet, version_figures
from tests.conftest import FIXTURES
from worklists.models import WorkItem

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates

BEIJING = ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BEIJING)


def open_item(case, spec):
    return WorkItem.objects.get(case=case, task_spec=spec, state="open")


class Office:
    def __init__(self, version, item, frontdesk, clerk_market):
        self.version, self.item, self.frontdesk, self.clerk = version, item, frontdesk, clerk_market

    def start(self, moment: str, channel: str) -> Case:
        with time_machine.travel(at(moment), tick=False):
            return do_start_case(
                version=self.version,
                service_item=self.item,
                acting_user=self.frontdesk,
                channel=channel,
                applicant_name="王芳",
                enterprise_name="北京并联科技有限公司",
            )

    def work(self, case, spec, user, claimed: str, completed: str, outcome: str, data=None) -> None:
        item = open_item(case, spec)
        with time_machine.travel(at(claimed), tick=False):
            do_claim_task(item.pk, acting_user=user)
        with time_machine.travel(at(completed), tick=False):
            do_complete_task(item.pk, acting_user=user, outcome=outcome, data=data or {})

    def corrected_case(self, start: str, material_day: str, last_day: str, channel: str, missing: list[str]) -> Case:
        day = start[:10]
        case = self.start(start, channel)
        self.work(
            case,
            "review",
            self.clerk,
            f"{day} 15:00",
            f"{day} 16:00",
            "correction",
            {"missing_materials": missing, "notice": "请一次性补齐"},
        )
        self.work(
            case, "review_correction", self.frontdesk, f"{material_day} 10:00", f"{material_day} 10:30", "resubmitted"
        )
        self.work(case, "review", self.clerk, f"{last_day} 11:00", f"{last_day} 11:30", "approve")
        return case


@pytest.fixture
def three_cases(reference, frontdesk, clerk_market):
    version = do_deploy_version(
        (FIXTURES / "engine" / "review_with_correction.bpmn").read_bytes(), "review.bpmn"
    ).version
    item = ServiceItem.objects.create(
        code="licence_review",
        name="许可审查",
        process=version.definition,
        promised_limit_working_days=5,
        statutory_limit_working_days=20,
        materials=["申请书 application form", "章程 articles of association"],
    )
    office = Office(version, item, frontdesk, clerk_market)
    a = office.start("2026-03-02 09:00", "window")
    office.work(a, "review", clerk_market, "2026-03-02 10:00", "2026-03-10 10:00", "approve")
    b = office.corrected_case("2026-03-02 14:00", "2026-03-04", "2026-03-04", "online", ["章程", "住所证明"])
    c = office.corrected_case("2026-03-05 14:00", "2026-03-09", "2026-03-09", "window", ["章程"])
    assert {x.status for x in Case.objects.filter(version=version)} == {"completed"}
    return version, (a, b, c)


def test_figures_of_three_cases_are_what_a_clerk_counts_by_hand(three_cases):
    version, _ = three_cases
    f = version_figures(version)
    assert (f["cases"], f["concluded"]) == (3, 3)
    assert f["cycle_working_days_median"] == pytest.approx(13 / 7)
    assert f["cycle_working_days_p90"] == pytest.approx(13 / 7 + 0.8 * 30 / 7)  # between B/C and A, 80 % of the way
    assert f["cycle_calendar_hours_median"] == pytest.approx(93.5)
    assert f["cycle_calendar_hours_p90"] == pytest.approx(93.5 + 0.8 * (193 - 93.5))
    assert sorted(f["cycle_working_days"]) == pytest.approx([13 / 7, 13 / 7, 43 / 7])
    # A: 1 trip (window); B: none (online); C: window + one correction round = 2
    assert f["trips_per_case"] == pytest.approx(1.0)
    assert f["trip_spread"] == {0: 1, 1: 1, 2: 1}
    assert f["at_most_one_trip_share"] == pytest.approx(2 / 3)
    assert f["fully_online_share"] == pytest.approx(1 / 3)
    assert f["corrections_per_case"] == pytest.approx(2 / 3)
    assert f["handoffs_per_case"] == pytest.approx(4 / 3)  # B and C: market → front desk → market
    assert f["materials_per_case"] == pytest.approx((3 * 2 + 2 + 1) / 3)
    assert f["notify_commit_share"] == 0
    # A ended after its promised limit (Mon 9 Mar 17:30): red. B and C resumed after the correction.
    assert f["case_lights"] == {"green": 2, "yellow": 0, "red": 1}
    assert f["case_on_time_share"] == pytest.approx(2 / 3)
    # The five reviews: A's late, the others on time. Correction tasks are the applicant's, not counted.
    assert f["task_lights"] == {"green": 4, "yellow": 0, "red": 1}
    assert f["task_on_time_share"] == pytest.approx(0.8)


def test_department_rows_split_waiting_and_working_and_keep_the_applicants_time_apart(three_cases):
    version, _ = three_cases
    rows = {row["code"]: row for row in version_figures(version)["departments"]}
    assert set(rows) == {"market", "applicant"}
    market = rows["market"]
    assert market["tasks"] == 5
    assert market["wait_hours_median"] == pytest.approx(1.0)  # 1, 1, 0.5, 1, 0.5
    assert market["wait_hours_mean"] == pytest.approx(0.8)
    assert market["work_hours_median"] == pytest.approx(1.0)  # A 42 h (Mon 10:00 → Tue next week 10:00), 1, 0.5, 1, 0.5
    assert market["work_hours_mean"] == pytest.approx(45 / 5)
    assert market["lights"] == {"green": 4, "yellow": 0, "red": 1}
    applicant = rows["applicant"]
    assert applicant["tasks"] == 2
    assert applicant["wait_hours_median"] == pytest.approx(9.5)  # 16:00 → two days later 10:00: 1.5 + 7 + 1
    assert applicant["work_hours_mean"] == pytest.approx(0.5)
    assert applicant["name"] == "申请人补正"
    with translation.override("en"):
        assert applicant["name"] == "Applicant's corrections"


def test_the_figures_take_the_same_number_of_queries_for_one_case_or_three(three_cases):
    version, (a, b, c) = three_cases
    with CaptureQueriesContext(connection) as one:
        CaseSet(Case.objects.filter(pk=a.pk), [version]).figures()
    with CaptureQueriesContext(connection) as three:
        CaseSet(Case.objects.filter(pk__in=[a.pk, b.pk, c.pk]), [version]).figures()
    assert len(one) == len(three) <= 16


def test_a_comparison_words_the_change_as_reform_reports_do():
    before = {
        "cycle_working_days_median": 4.0,
        "trips_per_case": 2.0,
        "materials_per_case": 8.0,
        "handoffs_per_case": 5.0,
        "case_on_time_share": 0.5,
    }
    after = {
        "cycle_working_days_median": 1.432,
        "trips_per_case": 1.0,
        "materials_per_case": 6.0,
        "handoffs_per_case": 5.5,
        "case_on_time_share": 0.8,
    }
    comparison = Comparison(before, after)
    assert comparison.speedup == pytest.approx(0.642)
    assert comparison.headline() == "审批提速 64.2%，跑动次数减少 50.0%，申请材料减少 25.0%"
    words = {change.key: change.words() for change in comparison.changes}
    assert words["handoffs_per_case"] == "部门流转增加 10.0%"
    assert words["case_on_time_share"] == "按时办结率 +30.0 个百分点"
    assert words["fully_online_share"] == "全程网办占比 –"
    slower = Comparison(after, before)
    assert slower.headline().startswith("办理时长中位数增加 179.3%")
    with translation.override("en"):
        assert comparison.headline() == "faster approval 64.2%, fewer trips 50.0%, fewer materials 25.0%"
        words = {change.key: change.words() for change in comparison.changes}
        assert words["handoffs_per_case"] == "hand-offs up 10.0%"
        assert words["case_on_time_share"] == "cases on time +30.0 points"
        assert slower.headline().startswith("median cycle time up 179.3%, in-person trips up 100.0%")
