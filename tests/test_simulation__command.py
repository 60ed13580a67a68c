"""`manage.py simulate` with figures given by hand: what a designer asks before a rollout."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from simulation.models import SimulationRun

# The answer depends on the date: make test runs these again as of hard dates (tests/as_of.py).
pytestmark = pytest.mark.dates

BY_HAND = """
arrivals_per_day = 12
[case]
notify_commit = 0.2
[departments.front_desk]
wait = 0.25
work = { lognormal = { median = 0.5, spread = 0.3 } }
[departments.market]
wait = { lognormal = { median = 1.0 } }
work = { lognormal = { median = 1.2, spread = 0.4 } }
[departments.police]
wait = 0.5
work = { lognormal = { median = 1.0, spread = 0.3 } }
[departments.applicant]
wait = { uniform = { low = 7, high = 21 } }
work = 0.2
[default]
wait = { exponential = { mean = 1.0 } }
work = { lognormal = { median = 0.8 } }
outcomes = { approve = 0.9, correction = 0.08, reject = 0.02, accept = 1, pass = 0.95, fail = 0.05, resubmitted = 1, rectified = 1 }
[messages.bank_account_opened]
delay = { exponential = { mean = 2 } }
[messages.service_rated]
delay = 3
probability = 0.85
"""


@pytest.fixture
def by_hand(tmp_path):
    path = tmp_path / "office.toml"
    path.write_text(BY_HAND, encoding="utf-8")
    return str(path)


# A simulation's queues and waits depend on the days it runs over (a Spring Festival week idles
# every clerk while the applications wait): the tests pin the first day, a plain March Monday
# whose 70 working days hold only short holidays.
FIRST_DAY = "2026-03-02"


def simulate(*args) -> str:
    out = StringIO()
    start = () if "--start" in args else ("--start", FIRST_DAY)
    call_command("simulate", *args, *start, "--no-progress", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("today", "first"),
    [
        ("2026-09-30T17:29", "2026-10-08"),  # the eve of National Day: the next working day is after the holiday
        ("2026-10-09T12:00", "2026-10-10"),  # a Friday before a Saturday worked in lieu (调休上班)
        ("2026-12-12T11:00", "2026-12-14"),  # a Saturday
    ],
)
def test_simulation_starts_on_the_working_day_after_today_by_default(reference, by_hand, today, first):
    import time_machine

    from tests.as_of import parse_moment

    with time_machine.travel(parse_moment(today), tick=False):
        out = StringIO()
        call_command(
            "simulate",
            "--version",
            "2",
            "--params",
            by_hand,
            "--cases",
            "5",
            "--json",
            "--no-save",
            "--no-progress",
            stdout=out,
        )
    assert json.loads(out.getvalue())["first_day"] == first


def test_simulate_a_version_that_never_ran_from_figures_given_by_hand(reference, by_hand):
    out = simulate("--version", "2", "--params", by_hand, "--cases", "600")
    # Management commands speak the site's language (settings.LANGUAGE_CODE): Chinese by default.
    assert "仿真 business_registration v2：共 600 件" in out
    assert "办理时长（受理 -> 办结）：中位数" in out
    assert "数据来源：" + by_hand in out
    with translation.override("en"):
        english = simulate("--version", "2", "--params", by_hand, "--cases", "10", "--no-save")
    assert "simulation of business_registration v2: 10 cases simulated" in english
    assert "cycle time (acceptance -> result): median" in english
    assert "department" in english and "部门" not in english
    run = SimulationRun.objects.get(version=reference["parallel"])
    p = run.prediction
    assert p["concluded"] == 600 and p["failed"] == 0
    assert set(p["ends"]) >= {"end_issued", "end_rejected"}
    # Five departments review in parallel after market regulation, each a few office hours: the
    # result comes within a few working days, and later than the front desk alone could make it.
    assert 0.3 < p["cycle_working_days_median"] < 4
    assert p["cycle_working_days_p90"] > p["cycle_working_days_median"]
    assert set(p["departments"]) >= {"front_desk", "market", "police", "tax", "hrss", "housing_fund"}
    assert run.params["arrivals_per_day"] == 12 and run.learned_from.endswith("office.toml")


def test_fewer_clerks_make_the_department_queue_and_wait(reference, by_hand):
    ample = json.loads(simulate("--version", "2", "--params", by_hand, "--cases", "800", "--json", "--no-save"))
    short = json.loads(
        simulate("--version", "2", "--params", by_hand, "--cases", "800", "--json", "--no-save", "--staff", "police=2")
    )
    police, police_short = ample["departments"]["police"], short["departments"]["police"]
    assert police["staff"] is None and police_short["staff"] == 2
    # 12 cases a day, an hour of police work each, two clerks with 14 office hours between them: busy,
    # and the tasks wait for a free clerk, on top of the half hour before anyone looks.
    assert 0.6 < police_short["utilisation"] <= 1.0
    assert police_short["wait_hours_median"] > police["wait_hours_median"] + 0.25
    assert police_short["queue_mean"] > 2 * police["queue_mean"]
    assert short["cycle_working_days_median"] > ample["cycle_working_days_median"]
    assert short["departments"]["tax"]["wait_hours_median"] == pytest.approx(
        ample["departments"]["tax"]["wait_hours_median"], rel=0.2
    )


def test_simulate_says_what_is_missing(reference, by_hand, tmp_path):
    with pytest.raises(CommandError, match="请给出 --from-log"):
        simulate("--version", "2", "--cases", "10")
    with pytest.raises(CommandError, match="流程「business_registration」之前的版本在事件日志中都没有可供学习的办件"):
        simulate("--version", "2", "--from-log", "--cases", "10")
    with pytest.raises(CommandError, match="没有版本 9；现有版本：1, 2"):
        simulate("--version", "9", "--params", by_hand)
    with pytest.raises(CommandError, match="--staff police：请写成 部门=经办人数"):
        simulate("--version", "2", "--params", by_hand, "--staff", "police")
    broken = tmp_path / "broken.toml"
    broken.write_text(
        "arrivals_per_day = 5\n[tasks.market_review]\nwork = { lognormal = { mean = 2 } }\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match=r"tasks.market_review.work：.* 不是时长"):
        simulate("--version", "2", "--params", str(broken))
    with translation.override("en"):
        with pytest.raises(CommandError, match="no earlier version of 'business_registration' has cases"):
            simulate("--version", "2", "--from-log", "--cases", "10")
        with pytest.raises(CommandError, match="--staff police: give DEPARTMENT=CLERKS"):
            simulate("--version", "2", "--params", by_hand, "--staff", "police")
        with pytest.raises(CommandError, match=r"tasks.market_review.work: .* is not a duration"):
            simulate("--version", "2", "--params", str(broken))
    assert not SimulationRun.objects.exists()
